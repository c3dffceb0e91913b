import Foundation
import GRDB
import GRDBSQLite

/// Runs a cached GRDB statement with positional values bound straight through SQLite's C API. GRDB's
/// `StatementArguments` maps the values into a new array, copies it again while binding, and goes through
/// a key path per value: for the 55 columns of a flow row that was a third of the row's insert in the
/// recorder's profile. The values are GRDB's own `DatabaseValue`s, so what is stored is what GRDB would
/// store. Only for statements that change no schema and no transaction state (plain inserts): GRDB's
/// per-statement bookkeeping is skipped.
enum DirectStatement {
    /// SQLite copies the bytes before `sqlite3_bind_*` returns (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func execute(_ statement: Statement, _ values: [DatabaseValue], _ db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        precondition(values.count == Int(sqlite3_bind_parameter_count(handle)), "one value per parameter")
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value.storage {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .int64(let int):
                code = sqlite3_bind_int64(handle, index, int)
            case .double(let double):
                code = sqlite3_bind_double(handle, index, double)
            case .string(let string):
                // `withCString`, not `withUTF8`: an empty string's UTF-8 buffer may have no address, and a
                // null pointer binds NULL, not ''.
                code = string.withCString { sqlite3_bind_text64(handle, index, $0, UInt64(string.utf8.count), transient, UInt8(SQLITE_UTF8)) }
            case .blob(let data) where data.isEmpty:
                code = sqlite3_bind_zeroblob(handle, index, 0) // an empty blob, not NULL
            case .blob(let data):
                code = data.withUnsafeBytes { sqlite3_bind_blob64(handle, index, $0.baseAddress, UInt64($0.count), transient) }
            }
            guard code == SQLITE_OK else { throw error(code, statement, db) }
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let failure = error(code, statement, db)
            sqlite3_reset(handle)
            throw failure
        }
        sqlite3_reset(handle)
    }

    private static func error(_ code: Int32, _ statement: Statement, _ db: Database) -> DatabaseError {
        let connection = db.sqliteConnection
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }
}
