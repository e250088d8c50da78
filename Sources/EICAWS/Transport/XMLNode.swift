import Foundation

/// A small immutable XML tree: enough for AWS Query responses, without reflection or Codable magic.
public struct XMLNode: Sendable {
    public let name: String
    public let text: String
    public let children: [XMLNode]

    /// The first child called `name`.
    public func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// All children called `name`.
    public func children(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// Text at a slash-separated path of child names, e.g. `"GetCallerIdentityResult/Arn"`.
    public func string(_ path: String) -> String? {
        var node = self
        for part in path.split(separator: "/") {
            guard let next = node.child(String(part)) else { return nil }
            node = next
        }
        return node.text
    }

    /// The `<item>` elements of a list element at `path` (EC2 wraps lists as `<xSet><item>`, IAM as `<member>`).
    public func items(_ path: String, element: String = "item") -> [XMLNode] {
        var node = self
        for part in path.split(separator: "/") {
            guard let next = node.child(String(part)) else { return [] }
            node = next
        }
        return node.children(element)
    }

    /// First descendant (depth-first) called `name`.
    public func first(_ name: String) -> XMLNode? {
        for child in children {
            if child.name == name { return child }
            if let found = child.first(name) { return found }
        }
        return nil
    }

    /// Parses a document; nil if it is not well-formed XML or declares a DTD (AWS answers never do, and
    /// refusing one rules out entity expansion attacks). Elements named in `skipping` are left out
    /// with everything inside them (still checked for well-formedness): a 1,000-instance
    /// DescribeInstances answer is mostly network interfaces and block devices eicsetup never reads,
    /// and the whole tree of it was the largest part of plan's heap (heaptrack, bench/RESULTS.md).
    /// Parsed by `XMLScanner`, straight from the bytes: FoundationXML (libxml2) is not loaded at all.
    public static func parse(_ bytes: [UInt8], skipping: Set<String> = []) -> XMLNode? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = XMLScanner(buffer, skipping: skipping)
            return scanner.document()
        }
    }
}
