import Foundation

/// Reads one HTTP/1.1 answer from a connection: the status line and headers, then a body delimited by
/// Content-Length, chunked encoding, or the end of the stream.
struct HTTPResponseReader {
    static let headLimit = 64 << 10
    private static let readSize = 16 << 10

    let connection: SocketConnection
    let deadline: Deadline
    private var buffer: [UInt8] = []
    private var position = 0
    /// True once any byte of the answer arrived.
    private(set) var receivedAny = false

    init(connection: SocketConnection, deadline: Deadline) {
        self.connection = connection
        self.deadline = deadline
    }

    /// The answer and whether the connection can carry another request. 1xx interim answers are skipped.
    mutating func readResponse(isHead: Bool, bodyLimit: Int) throws(HTTPClientError) -> (HTTPResponse, reusable: Bool) {
        while true {
            let (version, status, headers) = try readHead()
            if (100..<200).contains(status) { continue }
            let keepAlive: Bool
            let connectionHeader = headers["connection"]?.lowercased() ?? ""
            if version == "HTTP/1.1" { keepAlive = !connectionHeader.contains("close") } else { keepAlive = connectionHeader.contains("keep-alive") }
            if isHead || status == 204 || status == 304 {
                return (HTTPResponse(status: status, headers: headers, body: []), keepAlive)
            }
            if let coding = headers["transfer-encoding"]?.lowercased(), coding != "identity" {
                guard coding.hasSuffix("chunked") else { throw .malformed("transfer encoding \(coding)") }
                return (HTTPResponse(status: status, headers: headers, body: try readChunked(limit: bodyLimit)), keepAlive)
            }
            if let lengthText = headers["content-length"] {
                guard let length = Int(lengthText.trimmingCharacters(in: .whitespaces)), length >= 0 else { throw .malformed("Content-Length \(lengthText)") }
                guard length <= bodyLimit else { throw .tooLarge(bodyLimit) }
                return (HTTPResponse(status: status, headers: headers, body: try body(length: length)), keepAlive)
            }
            return (HTTPResponse(status: status, headers: headers, body: try readToEnd(limit: bodyLimit)), false)
        }
    }

    private mutating func readHead() throws(HTTPClientError) -> (version: String, status: Int, headers: [String: String]) {
        let statusLine = String(decoding: try line(), as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100..<600).contains(status) else {
            throw .malformed("status line \"\(statusLine.prefix(60))\"")
        }
        var headers: [String: String] = [:]
        var headBytes = statusLine.utf8.count
        while true {
            let raw = try line()
            headBytes += raw.count + 2
            guard headBytes <= Self.headLimit else { throw .malformed("headers larger than \(Self.headLimit) bytes") }
            if raw.isEmpty { break }
            guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("header line without a colon") }
            let name = String(decoding: raw[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: raw[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return (String(parts[0]), status, headers)
    }

    private mutating func readChunked(limit: Int) throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = String(decoding: try line(), as: UTF8.self)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("chunk size \"\(sizeLine.prefix(20))\"") }
            if size == 0 {
                while try !line().isEmpty {}  // trailer fields, unused
                return body
            }
            guard body.count + size <= limit else { throw .tooLarge(limit) }
            body += try bytes(size)
            guard try line().isEmpty else { throw .malformed("chunk without its line end") }
        }
    }

    /// Exactly `length` bytes, read straight into the body (no second copy of a large answer).
    private mutating func body(length: Int) throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(length)
        let buffered = min(length, buffer.count - position)
        body += buffer[position..<(position + buffered)]
        position += buffered
        while body.count < length {
            let chunk = try connection.read(upTo: min(length - body.count, 1 << 20), deadline: deadline)
            guard !chunk.isEmpty else { throw .closed(beforeAnswer: false) }
            body += chunk
        }
        return body
    }

    private mutating func readToEnd(limit: Int) throws(HTTPClientError) -> [UInt8] {
        var body = Array(buffer[position...])
        buffer = []
        position = 0
        while true {
            guard body.count <= limit else { throw .tooLarge(limit) }
            let chunk = try connection.read(upTo: Self.readSize, deadline: deadline)
            if chunk.isEmpty { return body }
            body += chunk
        }
    }

    /// One line without its CRLF (a bare LF is accepted too).
    private mutating func line() throws(HTTPClientError) -> ArraySlice<UInt8> {
        var searchFrom = position
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let found = buffer[position..<end]
                position = newline + 1
                return found
            }
            guard buffer.count - position <= Self.headLimit else { throw .malformed("a line longer than \(Self.headLimit) bytes") }
            searchFrom = buffer.count
            try fill()
        }
    }

    private mutating func bytes(_ count: Int) throws(HTTPClientError) -> ArraySlice<UInt8> {
        while buffer.count - position < count { try fill(wanting: count - (buffer.count - position)) }
        defer { position += count }
        return buffer[position..<(position + count)]
    }

    private mutating func fill(wanting: Int = 0) throws(HTTPClientError) {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        let chunk = try connection.read(upTo: max(Self.readSize, min(wanting, 1 << 20)), deadline: deadline)
        guard !chunk.isEmpty else { throw .closed(beforeAnswer: !receivedAny) }
        receivedAny = true
        buffer += chunk
    }
}
