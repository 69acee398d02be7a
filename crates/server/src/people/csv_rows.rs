//! Reading a CSV file (RFC 4180, as spreadsheets save it) into rows of
//! cells, each with the line it starts on, so that a problem can name the
//! line the administrator sees in their editor.
//!
//! Lenient where a spreadsheet is: a stray quote inside an unquoted cell is
//! kept as text, and `\n`, `\r\n` and a lone `\r` all end a row. A quoted
//! cell may hold line breaks. A file that opens a quote and never closes it
//! cannot be read (everything after it would be one cell).

/// One row: the line it starts on (1-based) and its cells, untrimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<String>,
}

impl Row {
    /// A row with nothing in it (an empty line, or only commas).
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Why a file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    /// A quoted cell opened on this line never ends.
    UnclosedQuote(u32),
}

impl CsvError {
    pub fn words(&self) -> String {
        match self {
            CsvError::UnclosedQuote(line) => format!(
                "Line {line} opens a quoted value (\") that never closes, so the rest of the \
                 file cannot be read. Close the quote or remove it."
            ),
        }
    }
}

/// Where the reader is inside a cell.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    /// At the start of a cell, or in an unquoted one.
    Plain,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: the end of the cell, or the first
    /// half of an escaped quote (`""`).
    QuoteInQuoted,
}

/// The rows of `text`, separated by `delimiter`. A byte-order mark at the
/// start is dropped (spreadsheets write one).
pub fn read(text: &str, delimiter: char) -> Result<Vec<Row>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut state = In::Plain;
    let mut line: u32 = 1;
    let mut row_line: u32 = 1;
    // Whether the current row has any character yet (so that the end of
    // the file after a final line break adds no empty row).
    let mut started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match state {
            In::Quoted => match c {
                '"' => state = In::QuoteInQuoted,
                _ => {
                    if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
                        line += 1;
                    }
                    cell.push(c);
                }
            },
            In::QuoteInQuoted if c == '"' => {
                cell.push('"');
                state = In::Quoted;
            }
            In::Plain | In::QuoteInQuoted => {
                state = In::Plain;
                started = true;
                if c == delimiter {
                    cells.push(std::mem::take(&mut cell));
                } else if c == '\r' || c == '\n' {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    cells.push(std::mem::take(&mut cell));
                    rows.push(Row {
                        line: row_line,
                        cells: std::mem::take(&mut cells),
                    });
                    line += 1;
                    row_line = line;
                    started = false;
                } else if c == '"' && cell.is_empty() {
                    state = In::Quoted;
                } else {
                    cell.push(c);
                }
            }
        }
        if state != In::Plain {
            started = true;
        }
    }
    if state == In::Quoted {
        return Err(CsvError::UnclosedQuote(row_line));
    }
    if started {
        cells.push(cell);
        rows.push(Row {
            line: row_line,
            cells,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str) -> Vec<Vec<String>> {
        read(text, ',')
            .unwrap()
            .into_iter()
            .map(|r| r.cells)
            .collect()
    }

    #[test]
    fn plain_rows_and_line_endings() {
        assert_eq!(cells("a,b\r\nc,d\n"), vec![vec!["a", "b"], vec!["c", "d"]]);
        assert_eq!(cells("a,b\rc,d"), vec![vec!["a", "b"], vec!["c", "d"]]);
        assert_eq!(cells("a,,\n"), vec![vec!["a", "", ""]]);
        assert_eq!(cells(""), Vec::<Vec<String>>::new());
    }

    #[test]
    fn quotes_hold_delimiters_quotes_and_line_breaks() {
        let rows = read("name,email\n\"Doe, \"\"J\"\"\",\"a\nb\"\nx,y\n", ',').unwrap();
        assert_eq!(rows[1].cells, vec!["Doe, \"J\"", "a\nb"]);
        assert_eq!(rows[1].line, 2);
        // The row after a cell with a line break starts on line 4.
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn a_bom_is_dropped_and_a_stray_quote_kept() {
        assert_eq!(
            cells("\u{feff}name\nO\"Neil\n"),
            vec![vec!["name"], vec!["O\"Neil"]]
        );
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        assert_eq!(read("a\nb\n\"c,d\n", ','), Err(CsvError::UnclosedQuote(3)));
    }

    #[test]
    fn blank_rows() {
        let rows = read("a\n\n,,\n", ',').unwrap();
        assert!(!rows[0].is_blank());
        assert!(rows[1].is_blank());
        assert!(rows[2].is_blank());
    }
}
