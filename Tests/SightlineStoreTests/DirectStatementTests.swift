import Foundation
import GRDB
import Testing
@testable import SightlineStore

@Suite("DirectStatement")
struct DirectStatementTests {
    @Test("stores exactly what GRDB's own binding stores, empty text and empty blobs included")
    func sameAsGRDB() throws {
        let db = try DatabaseQueue()
        let values: [DatabaseValue] = [
            "".databaseValue, "héllo \u{0}wörld".databaseValue, Data().databaseValue, Data([0, 1, 2, 255]).databaseValue,
            0.databaseValue, Int64.min.databaseValue, Int64.max.databaseValue, 1.5.databaseValue, (-0.0).databaseValue, .null,
            Decimal(string: "0.000123")!.databaseValue,
        ]
        let columns = values.indices.map { "c\($0)" }
        try db.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT, \(columns.joined(separator: ", ")))")
            let placeholders = Array(repeating: "?", count: values.count + 1).joined(separator: ", ")
            let statement = try db.cachedStatement(sql: "INSERT INTO t VALUES (\(placeholders))")
            try DirectStatement.execute(statement, ["direct".databaseValue] + values, db)
            try DirectStatement.execute(statement, ["direct again".databaseValue] + values, db)
            try statement.execute(arguments: StatementArguments(["grdb".databaseValue] + values))
        }
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT \(columns.map { "typeof(\($0)), quote(\($0))" }.joined(separator: ", ")) FROM t ORDER BY k")
        }
        #expect(rows.count == 3)
        #expect(rows[0] == rows[2], "\(rows[0]) vs GRDB's \(rows[2])")
        #expect(rows[1] == rows[2], "a statement reused after a direct run")
        #expect(rows[2]["typeof(c0)"] as String? == "text", "'' stays text, not NULL")
        #expect(rows[2]["typeof(c2)"] as String? == "blob", "an empty blob stays a blob")
    }

    @Test("a failed step throws with SQLite's extended code (the flow insert replaces on a unique id by it) and the statement is usable after")
    func errors() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE t (id TEXT NOT NULL UNIQUE)")
            let statement = try db.cachedStatement(sql: "INSERT INTO t VALUES (?)")
            try DirectStatement.execute(statement, ["a".databaseValue], db)
            #expect {
                try DirectStatement.execute(statement, ["a".databaseValue], db)
            } throws: { error in
                (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            }
            try DirectStatement.execute(statement, ["b".databaseValue], db)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 2)
        }
    }
}
