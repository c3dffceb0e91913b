/// A plain-text table: the first column left-aligned, the others right-aligned, as figures read best.
struct TextTable {
    let header: [String]
    private(set) var rows: [[String]] = []

    init(header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// A full-width rule between groups of rows.
    mutating func addSeparator() { rows.append([]) }

    func render() -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: " | ")
        }
        return ([line(header), rule] + rows.map { $0.isEmpty ? rule : line($0) }).joined(separator: "\n")
    }
}
