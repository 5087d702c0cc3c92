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

/// The words of a person's name and e-mail, as the estimator's dictionary.
/// Whether `password` is little more than the person's own words (forwards
/// or backwards) with digits and punctuation around them: the strength
/// estimator scores `AnaRuiz-2026` as strong, yet anyone who knows the
/// person tries it first.
fn built_from(password: &str, words: &[&str]) -> bool {
    if words.is_empty() {
        return false;
    }
    let mut rest = password.to_lowercase();
    let mut words: Vec<String> = words
        .iter()
        .flat_map(|w| {
            let w = w.to_lowercase();
            [w.chars().rev().collect::<String>(), w]
        })
        .collect();
    // Longest first, so "anamaria" goes before "ana" eats part of it.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for word in &words {
        rest = rest.replace(word.as_str(), "");
    }
    rest.chars().filter(|c| c.is_alphabetic()).count() < 4
}

fn personal_words<'a>(inputs: &[&'a str]) -> Vec<&'a str> {
    inputs
        .iter()
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() >= 3)
        .collect()
}

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    /// `concurrency` 0 means half the cores, at least one: a sign-in storm
    /// queues for those and leaves the other half to page traffic.
    pub fn new(concurrency: usize) -> Self {
        let n = if concurrency == 0 {
            crate::config::half_the_cores()
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

    /// Whether `typed` is the signed-in person's password: the re-check
    /// asked before changing the password or switching the second factor off.
    pub async fn is_password_of(
        &self,
        pool: &sqlx::PgPool,
        user: i64,
        typed: &str,
    ) -> anyhow::Result<bool> {
        let hash = sqlx::query_scalar!("select password_hash from users where id = $1", user)
            .fetch_optional(pool)
            .await?
            .flatten();
        self.verify(typed, hash.as_deref()).await
    }

    /// [`check_new_for`] off the async executor: the strength estimate takes
    /// a few milliseconds, too long to hold a request thread.
    pub async fn check_new(
        &self,
        password: &str,
        personal: &[&str],
    ) -> anyhow::Result<Result<(), &'static str>> {
        let password = password.to_owned();
        let personal: Vec<String> = personal.iter().map(|s| (*s).to_owned()).collect();
        self.blocking(move || {
            let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
            check_new_for(&password, &personal)
        })
        .await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permits.acquire().await?;
        Ok(tokio::task::spawn_blocking(work).await?)
    }
}

/// Stores a new password hash for `user`: the one write of a password,
/// shared by the profile, reset links, invitations and the operator's CLI.
pub async fn set(conn: &mut sqlx::PgConnection, user: i64, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update users set password_hash = $2 where id = $1",
        user,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `hash` was made with weaker settings than today's (an older
/// algorithm or lower memory, time or parallelism): then it is replaced at
/// the next successful sign-in.
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = argon2::PasswordHash::new(hash) else {
        return true;
    };
    let current = argon2::Params::default();
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != argon2::ARGON2ID_IDENT
        || params.m_cost() < current.m_cost()
        || params.t_cost() < current.t_cost()
        || params.p_cost() < current.p_cost()
}

/// Why a new password is refused, as a translation key: too short, too
/// long, or too easy to guess for a strength estimator that knows common
/// passwords, words and dates, and the person's own name and e-mail
/// (`personal`).
pub fn check_new_for(password: &str, personal: &[&str]) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Err("password.too_short")
    } else if len > MAX_LEN {
        Err("password.too_long")
    } else if built_from(password, &personal_words(personal)) {
        Err("password.personal")
    } else if zxcvbn::zxcvbn(password, &personal_words(personal)).score() < zxcvbn::Score::Three {
        Err("password.too_weak")
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
    fn length_and_strength_rules() {
        assert_eq!(check_new_for("short", &[]), Err("password.too_short"));
        assert_eq!(
            check_new_for(&"x".repeat(129), &[]),
            Err("password.too_long")
        );
        for weak in [
            "password1234",
            "qwertyuiop123",
            "aaaaaaaaaaaaaaaa",
            "123456789012",
        ] {
            assert_eq!(check_new_for(weak, &[]), Err("password.too_weak"), "{weak}");
        }
        assert_eq!(
            check_new_for("anamaria2026!", &["anamaria@example.org", "Ana Maria"]),
            Err("password.personal")
        );
        let ana = ["ana.ruiz@veridia.example", "Ana Ruiz"];
        for built in [
            "anaruiz2026!",
            "AnaRuiz-2026",
            "ana.ruiz@veridia",
            "Ana Ruiz Veridia",
            "ruiz.ana.2026",
            "ana.ruiz@veridia.example",
            "ziur-ana-2026!!",
            "Ana-Ruiz-Veridia-Example",
        ] {
            assert_eq!(
                check_new_for(built, &ana),
                Err("password.personal"),
                "{built}"
            );
        }
        assert_eq!(check_new_for("Ana likes tractor lamps", &ana), Ok(()));
        for strong in [
            "a first password of length",
            "a good long password",
            "a brand new passphrase",
            "long enough password",
            "Tractor-lamp-umbrella-9",
        ] {
            assert_eq!(check_new_for(strong, &[]), Ok(()), "{strong}");
        }
        // No truncation: 128 characters are taken whole.
        assert_eq!(
            check_new_for(
                &format!("{}{}", "Tractor-lamp-umbrella-9".repeat(5), "xyz"),
                &[]
            ),
            Ok(())
        );
    }
}
