/// A package version, ordered the way the package manager that reported it orders versions:
/// dpkg's rules for Debian/Ubuntu (`epoch:upstream-revision`, `~` sorts before everything), rpm's
/// `rpmvercmp` for Amazon Linux (`version-release`, alphanumeric segments).
public struct PackageVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which ordering applies.
    public enum Scheme: String, Sendable, Codable {
        case dpkg, rpm
    }

    public let text: String
    public let scheme: Scheme

    public init(_ text: String, scheme: Scheme) {
        self.text = text
        self.scheme = scheme
    }

    public var description: String { text }

    /// True when `self` is older than `other` under `self`'s scheme.
    public func isOlder(than other: String) -> Bool {
        compare(text, other) < 0
    }

    /// -1, 0 or 1, like the package manager's own comparison.
    public func compare(_ a: String, _ b: String) -> Int {
        switch scheme {
        case .dpkg: return Self.dpkgCompare(a, b)
        case .rpm: return Self.rpmCompare(a, b)
        }
    }

    // MARK: dpkg (lib/dpkg/version.c: dpkg_version_compare, verrevcmp)

    static func dpkgCompare(_ a: String, _ b: String) -> Int {
        let (ea, ua, ra) = dpkgParts(a)
        let (eb, ub, rb) = dpkgParts(b)
        if ea != eb { return ea < eb ? -1 : 1 }
        let upstream = verrevcmp(Array(ua.utf8), Array(ub.utf8))
        if upstream != 0 { return upstream }
        return verrevcmp(Array(ra.utf8), Array(rb.utf8))
    }

    /// epoch (default 0), upstream, revision (after the last hyphen; default "").
    static func dpkgParts(_ version: String) -> (Int, String, String) {
        var rest = Substring(version)
        var epoch = 0
        if let colon = rest.firstIndex(of: ":"), let value = Int(rest[..<colon]) {
            epoch = value
            rest = rest[rest.index(after: colon)...]
        }
        if let hyphen = rest.lastIndex(of: "-") {
            return (epoch, String(rest[..<hyphen]), String(rest[rest.index(after: hyphen)...]))
        }
        return (epoch, String(rest), "")
    }

    /// dpkg's character order: `~` first, then end of string, then letters, then everything else.
    private static func order(_ c: UInt8?) -> Int {
        guard let c else { return 0 }
        if c >= 48 && c <= 57 { return 0 }
        if (c >= 65 && c <= 90) || (c >= 97 && c <= 122) { return Int(c) }
        if c == 126 { return -1 }
        return Int(c) + 256
    }

    private static func verrevcmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0, j = 0
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        while i < a.count || j < b.count {
            var firstDiff = 0
            while (i < a.count && !isDigit(a[i])) || (j < b.count && !isDigit(b[j])) {
                let ac = order(i < a.count ? a[i] : nil)
                let bc = order(j < b.count ? b[j] : nil)
                if ac != bc { return ac < bc ? -1 : 1 }
                i += 1
                j += 1
            }
            while i < a.count && a[i] == 48 { i += 1 }
            while j < b.count && b[j] == 48 { j += 1 }
            while i < a.count && isDigit(a[i]) && j < b.count && isDigit(b[j]) {
                if firstDiff == 0 { firstDiff = Int(a[i]) - Int(b[j]) }
                i += 1
                j += 1
            }
            if i < a.count && isDigit(a[i]) { return 1 }
            if j < b.count && isDigit(b[j]) { return -1 }
            if firstDiff != 0 { return firstDiff < 0 ? -1 : 1 }
        }
        return 0
    }

    // MARK: rpm (rpmio/rpmvercmp.c), applied to version and release separately

    static func rpmCompare(_ a: String, _ b: String) -> Int {
        let (ea, va, ra) = rpmParts(a)
        let (eb, vb, rb) = rpmParts(b)
        if ea != eb { return ea < eb ? -1 : 1 }
        let version = rpmvercmp(va, vb)
        if version != 0 { return version }
        // A missing release on either side compares equal (rpm's behaviour for "1.1" vs "1.1-18").
        guard let ra, let rb else { return 0 }
        return rpmvercmp(ra, rb)
    }

    static func rpmParts(_ text: String) -> (Int, String, String?) {
        var rest = Substring(text)
        var epoch = 0
        if let colon = rest.firstIndex(of: ":"), let value = Int(rest[..<colon]) {
            epoch = value
            rest = rest[rest.index(after: colon)...]
        }
        if let hyphen = rest.lastIndex(of: "-") {
            return (epoch, String(rest[..<hyphen]), String(rest[rest.index(after: hyphen)...]))
        }
        return (epoch, String(rest), nil)
    }

    static func rpmvercmp(_ lhs: String, _ rhs: String) -> Int {
        if lhs == rhs { return 0 }
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        let isAlnum: (UInt8) -> Bool = { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            while i < a.count && !isAlnum(a[i]) && a[i] != 126 && a[i] != 94 { i += 1 }
            while j < b.count && !isAlnum(b[j]) && b[j] != 126 && b[j] != 94 { j += 1 }
            // Tilde sorts before everything, even the end.
            let at = i < a.count && a[i] == 126, bt = j < b.count && b[j] == 126
            if at || bt {
                if !at { return 1 }
                if !bt { return -1 }
                i += 1; j += 1
                continue
            }
            // Caret sorts after the end but before anything else.
            let ac = i < a.count && a[i] == 94, bc = j < b.count && b[j] == 94
            if ac || bc {
                if i >= a.count { return -1 }
                if j >= b.count { return 1 }
                if !ac { return 1 }
                if !bc { return -1 }
                i += 1; j += 1
                continue
            }
            guard i < a.count && j < b.count else { break }
            let numeric = isDigit(a[i])
            var ei = i, ej = j
            if numeric {
                while ei < a.count && isDigit(a[ei]) { ei += 1 }
                while ej < b.count && isDigit(b[ej]) { ej += 1 }
            } else {
                while ei < a.count && isAlnum(a[ei]) && !isDigit(a[ei]) { ei += 1 }
                while ej < b.count && isAlnum(b[ej]) && !isDigit(b[ej]) { ej += 1 }
            }
            // A numeric segment is always newer than an alphabetic one.
            if ej == j { return numeric ? 1 : -1 }
            var sa = Array(a[i..<ei]), sb = Array(b[j..<ej])
            if numeric {
                while sa.first == 48 { sa.removeFirst() }
                while sb.first == 48 { sb.removeFirst() }
                if sa.count != sb.count { return sa.count > sb.count ? 1 : -1 }
            }
            if sa != sb { return sa.lexicographicallyPrecedes(sb) ? -1 : 1 }
            i = ei
            j = ej
        }
        if i >= a.count && j >= b.count { return 0 }
        return i >= a.count ? -1 : 1
    }
}
