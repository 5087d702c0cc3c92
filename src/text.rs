//! Letters as people type them without accents, for search and file names.

/// The plain Latin letters an accented lower-case letter stands for ("é"
/// is "e", "ñ" is "n", "œ" is "oe", "ß" is "ss"), as PostgreSQL's
/// `unaccent` reads them; `None` for any other character.
pub fn unaccent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        _ => return None,
    })
}

/// `text` in lower case without accents, character by character.
pub fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase).flat_map(|c| {
        let plain = unaccent(c);
        plain
            .into_iter()
            .flat_map(str::chars)
            .chain(plain.is_none().then_some(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_go_and_ligatures_open() {
        let folded = |t: &str| folded(t).collect::<String>();
        assert_eq!(folded("Délégation"), "delegation");
        assert_eq!(folded("ŒUVRE"), "oeuvre");
        assert_eq!(folded("Straße, Niño"), "strasse, nino");
        assert_eq!(folded("Ἀθῆναι 3"), "ἀθῆναι 3");
    }
}
