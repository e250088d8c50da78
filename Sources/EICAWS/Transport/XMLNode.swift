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

    /// Parses a document; nil if it is not well-formed XML.
    public static func parse(_ bytes: [UInt8]) -> XMLNode? {
        let builder = TreeBuilder()
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

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        stack.append(Open(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let open = stack.popLast() else { return }
        let text = open.children.isEmpty ? open.text : open.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let node = XMLNode(name: open.name, text: text, children: open.children)
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}
