//! Form errors, kept beside the field they belong to.

/// What is wrong, by field name: a translation key and, for messages such
/// as "unknown partner XYZ", the value it names (`%{value}` in the message).
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<FieldError>);

#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
    pub value: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.add_with(field, key, "");
    }

    pub fn add_with(&mut self, field: &'static str, key: &'static str, value: &str) {
        if !self.has(field) {
            self.0.push(FieldError {
                field,
                key,
                value: value.to_owned(),
            });
        }
    }

    /// The message for `field` in the current language.
    pub fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| crate::i18n::t_with(e.key, "value", &e.value))
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Keeps the value when it passes, records the error when it does not.
pub fn check<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    result: Result<T, &'static str>,
) -> Option<T> {
    result.map_err(|key| errors.add(field, key)).ok()
}

/// Text of 1 to `max` characters, trimmed.
pub fn required(raw: &str, max: usize) -> Result<String, &'static str> {
    let value = raw.trim();
    match value.chars().count() {
        0 => Err("field.required"),
        n if n > max => Err("field.too_long"),
        _ => Ok(value.to_owned()),
    }
}

/// Text of at most `max` characters, trimmed; may be empty.
pub fn optional(raw: &str, max: usize) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.chars().count() > max {
        Err("field.too_long")
    } else {
        Ok(value.to_owned())
    }
}
