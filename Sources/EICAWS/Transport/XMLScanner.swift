import Foundation

/// A non-validating XML parser for the documents AWS answers with: elements, attributes (read past),
/// character and the five predefined entity references, CDATA, comments and processing instructions.
/// A DOCTYPE is refused. Builds `XMLNode`s as elements close, leaving out skipped elements.
struct XMLScanner {
    private struct Open {
        var name: ArraySlice<UInt8>
        var text: [UInt8] = []
        var children: [XMLNode] = []
    }

    // Markup delimiters, built once (they are compared at every "<" of a large answer).
    private static let instructionStart: [UInt8] = Array("<?".utf8)
    private static let instructionEnd: [UInt8] = Array("?>".utf8)
    private static let commentStart: [UInt8] = Array("<!--".utf8)
    private static let commentEnd: [UInt8] = Array("-->".utf8)
    private static let cdataStart: [UInt8] = Array("<![CDATA[".utf8)
    private static let declarationStart: [UInt8] = Array("<!".utf8)
    private static let endTagStart: [UInt8] = Array("</".utf8)
    private static let cdataEnd: [UInt8] = Array("]]>".utf8)

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    private let skipping: Set<String>
    private var stack: [Open] = []
    /// Names of the open elements inside a skipped one (checked, not kept).
    private var skipped: [ArraySlice<UInt8>] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, skipping: Set<String>) {
        self.bytes = bytes
        self.skipping = skipping
    }

    mutating func document() -> XMLNode? {
        if starts(with: [0xEF, 0xBB, 0xBF]) { at += 3 }
        var root: XMLNode?
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "<") {
                if starts(with: Self.instructionStart) {
                    guard skip(past: Self.instructionEnd) else { return nil }
                } else if starts(with: Self.commentStart) {
                    guard skip(past: Self.commentEnd) else { return nil }
                } else if starts(with: Self.cdataStart) {
                    guard !stack.isEmpty, let text = cdata() else { return nil }
                    if skipped.isEmpty { stack[stack.count - 1].text += text }
                } else if starts(with: Self.declarationStart) {
                    return nil  // DOCTYPE (or anything else declared): never in an AWS answer
                } else if starts(with: Self.endTagStart) {
                    guard let closed = endTag() else { return nil }
                    if let closed { if stack.isEmpty { root = closed } else { stack[stack.count - 1].children.append(closed) } }
                } else {
                    guard root == nil, startTag() else { return nil }
                }
            } else {
                let start = at
                while at < bytes.count && bytes[at] != UInt8(ascii: "<") { at += 1 }
                let raw = bytes[start..<at]
                if stack.isEmpty {
                    guard raw.allSatisfy(Self.isSpace) else { return nil }
                } else if skipped.isEmpty {
                    guard Self.decode(raw, into: &stack[stack.count - 1].text) else { return nil }
                } else {
                    var ignored: [UInt8] = []
                    guard Self.decode(raw, into: &ignored) else { return nil }
                }
            }
        }
        return stack.isEmpty && skipped.isEmpty ? root : nil
    }

    /// `<name attributes…>` or `<name …/>`; false when malformed.
    private mutating func startTag() -> Bool {
        at += 1
        guard let name = name() else { return false }
        var selfClosing = false
        while true {
            guard at < bytes.count else { return false }
            let byte = bytes[at]
            if byte == UInt8(ascii: ">") { at += 1; break }
            if byte == UInt8(ascii: "/") {
                guard at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: ">") else { return false }
                at += 2
                selfClosing = true
                break
            }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                at += 1
                while at < bytes.count && bytes[at] != byte { at += 1 }
                guard at < bytes.count else { return false }
            }
            at += 1
        }
        let skip = !skipped.isEmpty || (!stack.isEmpty && skipping.contains(String(decoding: name, as: UTF8.self)))
        if skip {
            if !selfClosing { skipped.append(name) }
            return true
        }
        if selfClosing {
            let node = XMLNode(name: String(decoding: name, as: UTF8.self), text: "", children: [])
            if stack.isEmpty { return false }  // an empty root element: nothing AWS sends
            stack[stack.count - 1].children.append(node)
        } else {
            stack.append(Open(name: name))
        }
        return true
    }

    /// `</name>`: the closed node (nil inside a skipped element), or nil when it does not match.
    private mutating func endTag() -> XMLNode?? {
        at += 2
        guard let name = name() else { return nil }
        while at < bytes.count && Self.isSpace(bytes[at]) { at += 1 }
        guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else { return nil }
        at += 1
        if let open = skipped.last {
            guard open.elementsEqual(name) else { return nil }
            skipped.removeLast()
            return .some(nil)
        }
        guard let open = stack.popLast(), open.name.elementsEqual(name) else { return nil }
        var text = String(decoding: open.text, as: UTF8.self)
        if !open.children.isEmpty { text = text.trimmingCharacters(in: .whitespacesAndNewlines) }
        return .some(XMLNode(name: String(decoding: open.name, as: UTF8.self), text: text, children: open.children))
    }

    private mutating func name() -> ArraySlice<UInt8>? {
        let start = at
        while at < bytes.count, !Self.isSpace(bytes[at]), bytes[at] != UInt8(ascii: ">"), bytes[at] != UInt8(ascii: "/") { at += 1 }
        return at > start ? ArraySlice(bytes[start..<at]) : nil
    }

    private mutating func cdata() -> [UInt8]? {
        at += Self.cdataStart.count
        let start = at
        guard skip(past: Self.cdataEnd) else { return nil }
        return Array(bytes[start..<(at - 3)])
    }

    private func starts(with prefix: [UInt8]) -> Bool {
        at + prefix.count <= bytes.count && bytes[at..<(at + prefix.count)].elementsEqual(prefix)
    }

    /// Moves past the next `terminator`; false when there is none.
    private mutating func skip(past terminator: [UInt8]) -> Bool {
        while at + terminator.count <= bytes.count {
            if starts(with: terminator) {
                at += terminator.count
                return true
            }
            at += 1
        }
        return false
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Appends `raw` with its entity references replaced; false on an unknown or unterminated one.
    static func decode(_ raw: Slice<UnsafeBufferPointer<UInt8>>, into text: inout [UInt8]) -> Bool {
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "&") else {
                text.append(byte)
                index += 1
                continue
            }
            guard let semicolon = raw[index...].firstIndex(of: UInt8(ascii: ";")) else { return false }
            let entity = String(decoding: raw[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": text.append(UInt8(ascii: "<"))
            case "gt": text.append(UInt8(ascii: ">"))
            case "amp": text.append(UInt8(ascii: "&"))
            case "quot": text.append(UInt8(ascii: "\""))
            case "apos": text.append(UInt8(ascii: "'"))
            default:
                let number: UInt32?
                if entity.hasPrefix("#x") { number = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { number = UInt32(entity.dropFirst(), radix: 10) }
                else { number = nil }
                guard let number, let scalar = Unicode.Scalar(number) else { return false }
                text += Array(String(Character(scalar)).utf8)
            }
            index = semicolon + 1
        }
        return true
    }
}
