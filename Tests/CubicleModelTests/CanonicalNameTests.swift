import CubicleModel
import Testing

@Suite struct CanonicalNameTests {
    @Test func canonicalNameMatchesTheReferenceExamples() {
        #expect(CanonicalName(username: "alice", blueprint: "dev").name == "alice-59936c3")
        #expect(CanonicalName(username: "alice", blueprint: nil).name == "alice-a975fae")
    }

    @Test func instanceChangesTheName() {
        let plain = CanonicalName(username: "alice", blueprint: "dev")
        let other = CanonicalName(username: "alice", blueprint: "dev", instance: "2")
        #expect(other.key == "u=alice|bp=dev|i=2")
        #expect(plain.name != other.name)
        #expect(DNSLabel.isValid(other.name))
    }

    @Test func dnsLabelRejectsWhatKubernetesRejects() {
        #expect(DNSLabel.isValid("alice-59936c3"))
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", String(repeating: "a", count: 64), "é"] {
            #expect(!DNSLabel.isValid(bad), "\(bad) should be invalid")
        }
        #expect(DNSLabel.normalize("Alice Smith!!") == "alice-smith")
    }

    @Test func usernamesMustStartWithALetter() {
        #expect(Username.isValid("alice"))
        #expect(!Username.isValid("1alice"))
        #expect(!Username.isValid(String(repeating: "a", count: 33)))
    }
}
