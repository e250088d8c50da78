/// Syntax checks for the values a plan may contain. Each returns nil when the value is fine, else
/// the message for a `PlanIssue`. Patterns follow AWS's documented constraints for each field.
enum PlanValidators {
    /// IAM names: `[\w+=,.@-]`.
    static func iamNameByte(_ byte: UInt8) -> Bool { TextShape.isAlphanumeric(byte) || TextShape.isOneOf("+=,.@_-")(byte) }
    /// Security group rule descriptions: letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`.
    static func ruleDescriptionByte(_ byte: UInt8) -> Bool {
        TextShape.isAlphanumeric(byte) || TextShape.isOneOf(" ._-:/()#,@[]+=&;{}!$*")(byte)
    }

    /// OS user names the SendSSHPublicKey API accepts (and nothing a shell would read specially).
    static func osUser(_ name: String) -> String? {
        TextShape.isOSUserName(name) ? nil
            : "\"\(name)\" is not a valid OS user name (letters, digits, @ . _ -; at most 32 characters; no spaces or shell characters)"
    }

    static func region(_ name: String) -> String? {
        TextShape.isRegionName(name) ? nil : "\"\(name)\" is not an AWS region name such as us-east-1"
    }

    static func groupId(_ id: String) -> String? {
        TextShape.isResourceId(id, prefix: "sg-") ? nil : "\"\(id)\" is not a security group id (sg- followed by 8 or 17 hex digits)"
    }

    static func instanceId(_ id: String) -> String? {
        TextShape.isResourceId(id, prefix: "i-") ? nil : "\"\(id)\" is not an instance id (i- followed by 8 or 17 hex digits)"
    }

    static func port(_ port: Int) -> String? {
        (1...65535).contains(port) ? nil : "\(port) is not a TCP port (1–65535)"
    }

    /// IAM policy names: `[\w+=,.@-]{1,128}`.
    static func policyName(_ name: String) -> String? {
        TextShape.consists(name, of: iamNameByte, count: 1...128) ? nil
            : "\"\(name)\" is not a valid IAM policy name (1–128 of letters, digits and + = , . @ _ -)"
    }

    /// IAM user, group and role names: `[\w+=,.@-]`, users and roles up to 64, groups up to 128.
    static func principalName(_ name: String, kind: PrincipalKind) -> String? {
        let limit = kind == .group ? 128 : 64
        let ok = TextShape.consists(name, of: iamNameByte, count: 1...limit)
        return ok ? nil : "\"\(name)\" is not a valid IAM \(kind.rawValue.lowercased()) name (1–\(limit) of letters, digits and + = , . @ _ -)"
    }

    /// Security group rule descriptions: AWS's allowed characters, at most 255.
    static func ruleDescription(_ text: String) -> String? {
        let ok = TextShape.consists(text, of: ruleDescriptionByte, count: 0...255)
        return ok ? nil : "rule descriptions allow letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* (at most 255 characters)"
    }

    static func tagKey(_ key: String) -> String? {
        (1...128).contains(key.count) && !key.hasPrefix("aws:") ? nil : "tag keys are 1–128 characters and cannot start with aws:"
    }

    static func tagValue(_ value: String) -> String? {
        value.count <= 256 ? nil : "tag values are at most 256 characters"
    }

    /// Policy tags are compared by IAM's `StringEquals`, literally: `*` and `?` (wildcards in the EC2
    /// filter that selects instances) would match only themselves, and `${…}` would become an IAM
    /// policy variable. Both are refused rather than given a meaning the reader may not expect.
    static func policyTagValue(_ value: String) -> String? {
        if let problem = tagValue(value) { return problem }
        return policyTagText(value, "value")
    }

    static func policyTagKey(_ key: String) -> String? {
        if let problem = tagKey(key) { return problem }
        return policyTagText(key, "key")
    }

    private static func policyTagText(_ text: String, _ what: String) -> String? {
        if text.contains("*") || text.contains("?") {
            return "\"\(text)\": IAM compares policy tag \(what)s literally (StringEquals), so * and ? would match only themselves, not as the wildcards they are in select.tags; give the exact \(what), or use \"instances\": \"selected\""
        }
        if text.contains("${") {
            return "\"\(text)\": ${…} in a policy tag \(what) would become an IAM policy variable; give the exact \(what)"
        }
        return nil
    }

    /// A policy by instance ARN may become NAME-2, NAME-3… (up to NAME-999 leaves 124).
    static let splitPolicyNameLimit = 124

    static func packageVersion(_ text: String) -> String? {
        let ok = text.utf8.first.map(TextShape.isDigit) == true
            && TextShape.consists(text, of: { TextShape.isAlphanumeric($0) || TextShape.isOneOf(".+~:_-")($0) }, count: 1...Int.max)
        return ok ? nil : "\"\(text)\" is not a package version such as 1.1-18"
    }

    static func prefixList(_ text: String) -> String? {
        if text.hasPrefix("pl-"), TextShape.consists(text.dropFirst(3), of: TextShape.isLowerHex, count: 8...17) { return nil }
        let (head, tail) = ("com.amazonaws.", ".ec2-instance-connect")
        if text.hasPrefix(head), text.hasSuffix(tail), text.utf8.count > head.utf8.count + tail.utf8.count,
           TextShape.consists(text.dropFirst(head.count).dropLast(tail.count),
                              of: { TextShape.isDigit($0) || (0x61...0x7A).contains($0) || $0 == UInt8(ascii: "-") }, count: 1...Int.max) {
            return nil
        }
        return "\"\(text)\" is neither a prefix list id (pl-…) nor com.amazonaws.REGION.ec2-instance-connect"
    }

    /// A canonical IPv4 or IPv6 CIDR (host bits zero, as AWS stores it).
    static func cidr(_ text: String) -> String? {
        guard let network = CIDR(text) else {
            return "\"\(text)\" is not a CIDR such as 203.0.113.7/32 or 2001:db8::/64 (or \"auto\" for your own address)"
        }
        if network.text != text {
            return "\"\(text)\" has host bits set; write \(network.text)"
        }
        return nil
    }

    /// An ip-ranges.json source: an http(s) URL or a file path.
    static func rangesSource(_ text: String) -> String? {
        if text.hasPrefix("https://") || text.hasPrefix("http://") {
            return text.dropFirst(text.hasPrefix("https://") ? 8 : 7).isEmpty ? "the URL has no host" : nil
        }
        if text.contains("://") { return "only http(s) URLs or file paths are supported, not \"\(text)\"" }
        return text.isEmpty ? "give a URL or a file path" : nil
    }
}

/// An IPv4 or IPv6 network, parsed without Foundation; `text` is its canonical form.
public struct CIDR: Sendable, Hashable {
    public let isIPv6: Bool
    public let bytes: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), String(length) == parts[1] else { return nil }
        if let v4 = CIDR.ipv4(String(parts[0])) {
            guard (0...32).contains(length) else { return nil }
            isIPv6 = false
            bytes = CIDR.masked(v4, length)
        } else if let v6 = CIDR.ipv6(String(parts[0])) {
            guard (0...128).contains(length) else { return nil }
            isIPv6 = true
            bytes = CIDR.masked(v6, length)
        } else {
            return nil
        }
        prefixLength = length
    }

    /// One host's address as a CIDR: /32 for IPv4, /128 for IPv6 (never an IPv6 /32, which is 2^96
    /// addresses); nil when `address` is not an IP address. The one rule for the operator's address.
    public static func host(_ address: String) -> CIDR? {
        if ipv4(address) != nil { return CIDR(address + "/32") }
        if ipv6(address) != nil { return CIDR(address + "/128") }
        return nil
    }

    /// The canonical text (IPv6 lower-case, longest zero run compressed).
    public var text: String {
        if !isIPv6 { return bytes.map(String.init).joined(separator: ".") + "/\(prefixLength)" }
        let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        // The longest run of two or more zero groups becomes "::" (RFC 5952).
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > bestLength && end - index > 1 { bestStart = index; bestLength = end - index }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        let address: String
        if bestStart >= 0 {
            address = hex[..<bestStart].joined(separator: ":") + "::" + hex[(bestStart + bestLength)...].joined(separator: ":")
        } else {
            address = hex.joined(separator: ":")
        }
        return address + "/\(prefixLength)"
    }

    static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part),
                  part == "0" || !part.hasPrefix("0") else { return nil }
            out.append(value)
        }
        return out
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return nil }
        let halves = text.splitting(on: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                out.append(value)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

extension String {
    func splitting(on separator: String) -> [String] {
        var result: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            result.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        result.append(String(rest))
        return result
    }
}

extension PlanDecoder {
    /// True for OS user names a plan (and SendSSHPublicKey) accepts; options that take a user use it too.
    public static func isValidOSUser(_ name: String) -> Bool {
        PlanValidators.osUser(name) == nil
    }
}
