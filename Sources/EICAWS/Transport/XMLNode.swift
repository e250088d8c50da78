import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

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

    /// Parses a document; nil if it is not well-formed XML. Elements named in `skipping` are left out
    /// with everything inside them (still checked for well-formedness): a 1,000-instance
    /// DescribeInstances answer is mostly network interfaces and block devices eicsetup never reads,
    /// and the whole tree of it was the largest part of plan's heap (heaptrack, bench/RESULTS.md).
    public static func parse(_ bytes: [UInt8], skipping: Set<String> = []) -> XMLNode? {
        let builder = TreeBuilder(skipping: skipping)
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }
}

/// SAX-to-tree adapter. Confined to the parse call, so it needs no synchronisation.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    private struct Open {
        var name: String
        var text = ""
        var children: [XMLNode] = []
    }

    private var stack: [Open] = []
    var root: XMLNode?
    private let skipping: Set<String>
    /// How deep inside a skipped element the parser is (0: not in one).
    private var skippedDepth = 0

    init(skipping: Set<String>) {
        self.skipping = skipping
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if skippedDepth > 0 || (!stack.isEmpty && skipping.contains(elementName)) {
            skippedDepth += 1
            return
        }
        stack.append(Open(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if skippedDepth == 0 && !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if skippedDepth > 0 {
            skippedDepth -= 1
            return
        }
        guard let open = stack.popLast() else { return }
        let text = open.children.isEmpty ? open.text : open.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let node = XMLNode(name: open.name, text: text, children: open.children)
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}
