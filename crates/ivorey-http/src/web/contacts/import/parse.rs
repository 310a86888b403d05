//! Reading an uploaded CSV file, refusing with a sentence the user can act on anything that
//! would not import sensibly: bytes that are not UTF-8 (naming the line), an empty file, a
//! first line that is data rather than column names, empty or repeated column names, too many
//! columns or rows. Nothing is stored before the whole file passed.

use ivorey_store::EncodedRow;

/// The largest file accepted.
pub(crate) const FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
/// Columns of one file at most.
pub(crate) const COLUMNS_MAX: usize = 200;
/// Rows of one file at most (after the header).
pub(crate) const ROWS_MAX: usize = 200_000;

/// A file that passed: its column names and its rows, each encoded for storage.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub header: Vec<String>,
    pub rows: Vec<EncodedRow>,
}

/// The file's header and rows, or why it is refused.
pub(crate) fn parse(bytes: &[u8]) -> Result<ParsedFile, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(format!(
            "The file is not UTF-8 text (line {line} has a character in another encoding). \
             Save it as \"CSV UTF-8\" in your spreadsheet and upload it again."
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("The file is empty. Upload a CSV file with a header line and contacts.".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(record)) => record
            .iter()
            .map(|c| c.trim().to_owned())
            .collect::<Vec<_>>(),
        Some(Err(e)) => return Err(format!("The header line could not be read: {e}.")),
        None => return Err("The file is empty.".into()),
    };
    check_header(&header)?;
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let record = record.map_err(|e| format!("Row {} could not be read: {e}.", i + 1))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == ROWS_MAX {
            return Err(format!(
                "The file has more than {ROWS_MAX} rows. Split it into smaller files."
            ));
        }
        let cells: Vec<&str> = record.iter().collect();
        rows.push(EncodedRow::of(&cells));
    }
    if rows.is_empty() {
        return Err("The file has a header line but no contacts under it.".into());
    }
    Ok(ParsedFile { header, rows })
}

fn check_header(header: &[String]) -> Result<(), String> {
    if header.len() > COLUMNS_MAX {
        return Err(format!(
            "The file has {} columns; at most {COLUMNS_MAX} can be imported. Remove the columns \
             you do not need.",
            header.len()
        ));
    }
    if header.iter().all(String::is_empty) {
        return Err(
            "The first line is empty: the file needs a header line naming its columns \
             (for example: First name, Last name, Email)."
                .into(),
        );
    }
    if let Some(cell) = header.iter().find(|c| looks_like_data(c)) {
        return Err(format!(
            "The first line looks like a contact (\"{cell}\"), not column names. Add a header \
             line naming the columns (for example: First name, Last name, Email)."
        ));
    }
    if let Some(i) = header.iter().position(String::is_empty) {
        return Err(format!(
            "Column {} has no name. Give every column a name in the header line.",
            i + 1
        ));
    }
    let mut seen: Vec<String> = Vec::with_capacity(header.len());
    for name in header {
        let key = name.to_lowercase();
        if seen.contains(&key) {
            return Err(format!(
                "Two columns are named \"{name}\". Give each column its own name."
            ));
        }
        seen.push(key);
    }
    Ok(())
}

/// An email address or a number where a column name should be.
fn looks_like_data(cell: &str) -> bool {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    cell.contains('@')
        || (digits >= 3
            && cell
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_file_gives_its_header_and_rows() {
        let parsed =
            parse(b"\xEF\xBB\xBFFirst name,Email\nAda,ada@example.com\n\n\"B, c\",b@x.io\n")
                .expect("parsed");
        assert_eq!(parsed.header, ["First name", "Email"]);
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[1].as_str(), r#"["B, c","b@x.io"]"#);
    }

    #[test]
    fn bad_files_are_refused_with_what_to_do() {
        let latin1 = parse(b"Name\nAda\nJos\xE9\n").unwrap_err();
        assert!(latin1.contains("line 3"), "{latin1}");
        assert!(parse(b"").unwrap_err().contains("empty"));
        assert!(
            parse(b"ada@example.com,Ada\n")
                .unwrap_err()
                .contains("looks like a contact")
        );
        assert!(
            parse(b"Name,,Email\nA,,a@x.io\n")
                .unwrap_err()
                .contains("Column 2")
        );
        assert!(
            parse(b"Email,email\na@x.io,b\n")
                .unwrap_err()
                .contains("Two columns")
        );
        let wide = (0..=COLUMNS_MAX)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse(wide.as_bytes()).unwrap_err().contains("columns"));
        assert!(parse(b"Name\n").unwrap_err().contains("no contacts"));
    }
}
