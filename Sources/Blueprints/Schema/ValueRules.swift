import CubicleModel
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The value rules of the blueprint format, each returning the phrase for a violation or nil.
enum ValueRules {
    static func dnsLabel(maxLength: Int) -> ValueRule<String> {
        { name in DNSLabel.problem(with: name, maxLength: maxLength).map { "must be a DNS label: \($0)" } }
    }

    static let blueprintName: ValueRule<String> = dnsLabel(maxLength: BlueprintSchema.maximumNameLength)

    static let description: ValueRule<String> = { text in
        text.count > BlueprintSchema.maximumDescriptionLength
            ? "must be at most \(BlueprintSchema.maximumDescriptionLength) characters (has \(text.count))" : nil
    }

    static let nonEmpty: ValueRule<String> = { $0.isEmpty ? "must not be empty" : nil }

    static let image: ValueRule<String> = { image in
        if image.isEmpty { return "must not be empty" }
        if image.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
            return "must be an image reference without spaces"
        }
        return nil
    }

    /// An absolute, normalised path: starts with `/`, no `.`/`..` components, no NUL, not `/` itself.
    static let absolutePath: ValueRule<String> = { path in
        guard path.hasPrefix("/") else { return "must be an absolute path" }
        if path == "/" { return "must not be the root directory" }
        if path.utf8.contains(0) { return "must not contain NUL" }
        if path.utf8.count > 4_096 { return "must be at most 4096 bytes" }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if components.contains(where: { $0 == "." || $0 == ".." }) { return "must not contain . or .. components" }
        if components.contains(where: \.isEmpty) { return "must not contain empty components (// or a trailing /)" }
        return nil
    }

    /// Environment variable names as Kubernetes accepts them in `env`.
    static let envName: ValueRule<String> = { name in
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            return "must be an environment variable name (letters, digits, _, - and ., not starting with a digit)"
        }
        let ok = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
        return ok ? nil : "must be an environment variable name (letters, digits, _, - and ., not starting with a digit)"
    }

    /// Init script names become flag-file names.
    static let scriptName: ValueRule<String> = { name in
        guard !name.isEmpty, name.count <= 63, let first = name.unicodeScalars.first,
              first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first),
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) })
        else { return "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit" }
        return nil
    }

    /// Label and annotation keys: an optional DNS-subdomain prefix and a name of at most 63 characters.
    static let labelKey: ValueRule<String> = { key in
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, !name.isEmpty, name.count <= 63 else {
            return "must be a Kubernetes label key ([prefix/]name, name at most 63 characters)"
        }
        if parts.count == 2, let problem = DNSSubdomain.problem(with: String(parts[0])) {
            return "must have a DNS subdomain prefix: \(problem)"
        }
        let ok = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        return ok ? nil : "must be a Kubernetes label key (letters, digits, '.', '_', '-')"
    }

    /// An IPv4 or IPv6 network in CIDR notation.
    static let cidr: ValueRule<String> = { text in
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else {
            return "must be a CIDR like 10.0.0.0/8 or fd00::/8"
        }
        let address = String(parts[0])
        var buffer = [UInt8](repeating: 0, count: 16)
        if address.contains(":") {
            guard inet_pton(AF_INET6, address, &buffer) == 1 else { return "must be a CIDR: \"\(address)\" is not an IPv6 address" }
            return (0...128).contains(bits) ? nil : "must be a CIDR: IPv6 prefix length must be 0-128"
        }
        guard inet_pton(AF_INET, address, &buffer) == 1 else { return "must be a CIDR: \"\(address)\" is not an IPv4 address" }
        return (0...32).contains(bits) ? nil : "must be a CIDR: IPv4 prefix length must be 0-32"
    }

    /// A regular expression with at least one capture group (group 1 is the version).
    static let versionRegex: ValueRule<String> = { pattern in
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return "must be a valid regular expression" }
        return regex.numberOfCaptureGroups >= 1 ? nil : "must have a capture group (group 1 is the version)"
    }

    static let positiveQuantity: ValueRule<Quantity> = { $0.nanos > 0 ? nil : "must be greater than zero" }

    static let accessModes: Set<String> = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
}
