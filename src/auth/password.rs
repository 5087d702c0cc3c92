//! Password hashing: argon2id, always off the async executor and bounded, so
//! a burst of sign-ins cannot take every core from page traffic.

use std::sync::{Arc, LazyLock};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// Passwords shorter than this are refused.
pub const MIN_LEN: usize = 12;
/// Longer passwords are refused rather than silently truncated.
pub const MAX_LEN: usize = 128;

/// A hash of a password nobody has, verified when the e-mail is unknown so
/// that "no such account" takes as long as "wrong password".
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no account has this password")
        .expect("argon2 hashes a constant")
        .to_string()
});

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    /// `concurrency` 0 means one hash at a time per core.
    pub fn new(concurrency: usize) -> Self {
        let n = if concurrency == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            concurrency
        };
        Self {
            permits: Arc::new(Semaphore::new(n)),
        }
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        self.blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
        })
        .await?
    }

    /// Checks `password` against `hash`, or against a dummy hash when there
    /// is no account, so both answers cost the same.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> anyhow::Result<bool> {
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.map_or_else(|| DUMMY_HASH.clone(), str::to_owned);
        let matches = self
            .blocking(move || {
                Argon2::default()
                    .verify_password(password.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(known && matches)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permits.acquire().await?;
        Ok(tokio::task::spawn_blocking(work).await?)
    }
}

/// Why a new password is refused, as a translation key.
pub fn check_new(password: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Err("password.too_short")
    } else if len > MAX_LEN {
        Err("password.too_long")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hasher = Hasher::new(1);
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("no account has this password", None)
                .await
                .unwrap()
        );
    }

    #[test]
    fn length_rules() {
        assert_eq!(check_new("short"), Err("password.too_short"));
        assert_eq!(check_new(&"x".repeat(129)), Err("password.too_long"));
        assert_eq!(check_new("twelve chars"), Ok(()));
    }
}
