//! The client against hostile servers: raw TCP answers scripted per case
//! (`wpe_api_tests::hostile`). Each case asserts that the client does not
//! panic, ends in bounded time and, for bodies, holds bounded memory
//! (measured in a child process, `hostile-call`).

mod bodies;
mod first_hour;
mod pages;
mod retry;
mod waits;
