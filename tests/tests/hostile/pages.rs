//! Page streams against list servers whose pages and `count` disagree: a
//! server that caps its pages below the `limit` asked, one that overstates
//! or understates `count`, one that ignores `offset`; and the `limit` a
//! list builder carries into a walk. Also the base URL that carries
//! credentials.

use wpe_api::Client;

#[test]
fn a_base_url_with_credentials_is_refused_without_printing_them() {
    for url in [
        // Parses.
        "https://apiuser:TopSecretPw1@api.wpengineapi.com/v1",
        // Does not parse: an invalid port; a '/' in the password; no scheme.
        "https://apiuser:TopSecretPw1@api.wpengineapi.com:99999/v1",
        "https://apiuser:Top/SecretPw1@api.wpengineapi.com/v1",
        "apiuser:TopSecretPw1@api.wpengineapi.com/v1",
        "https:apiuser:TopSecretPw1@api.wpengineapi.com/v1",
    ] {
        let err = Client::builder()
            .credentials(wpe_api::Credentials::new("u", "p"))
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(
            matches!(err, wpe_api::ConfigError::InvalidBaseUrl { .. }),
            "{url}: {err:?}"
        );
        for text in [err.to_string(), format!("{err:?}")] {
            for secret in ["apiuser", "TopSecretPw1", "Top/Secret", "SecretPw1"] {
                assert!(!text.contains(secret), "{url}: {secret} printed: {text}");
            }
            assert!(text.contains("***@api.wpengineapi.com"), "{url}: {text}");
        }
    }
}
