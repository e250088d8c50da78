import Testing
@testable import EICAWS

/// DescribeInstances answers are parsed without the parts eicsetup never reads (issue 20: the whole tree
/// of a 1,000-instance answer was the largest part of plan's heap), and what it does read is unchanged.
@Suite struct XMLNodeTests {
    static let answer = """
        <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <reservationSet><item><reservationId>r-1</reservationId>
            <groupSet><item><groupId>sg-reservation</groupId></item></groupSet>
            <instancesSet><item>
              <instanceId>i-1</instanceId><imageId>ami-1</imageId>
              <instanceState><code>16</code><name>running</name></instanceState>
              <privateIpAddress>10.0.0.5</privateIpAddress><ipAddress>3.3.3.3</ipAddress>
              <placement><availabilityZone>us-east-1a</availabilityZone></placement>
              <monitoring><state>disabled</state></monitoring>
              <blockDeviceMapping><item><deviceName>/dev/xvda</deviceName></item></blockDeviceMapping>
              <groupSet><item><groupId>sg-1</groupId><groupName>web</groupName></item></groupSet>
              <networkInterfaceSet><item>
                <groupSet><item><groupId>sg-interface</groupId></item></groupSet>
                <privateIpAddress>10.9.9.9</privateIpAddress>
              </item></networkInterfaceSet>
              <tagSet><item><key>Name</key><value>web-1</value></item></tagSet>
            </item></instancesSet>
          </item></reservationSet>
        </DescribeInstancesResponse>
        """

    @Test func skippedElementsAreLeftOutWithEverythingInThem() throws {
        let tree = try #require(XMLNode.parse(Array(Self.answer.utf8), skipping: EC2Client.unreadInstanceParts))
        let item = try #require(tree.items("reservationSet").first?.items("instancesSet").first)
        #expect(item.child("networkInterfaceSet") == nil)
        #expect(item.child("blockDeviceMapping") == nil)
        #expect(item.child("monitoring") == nil)
        #expect(item.children.map(\.name) == ["instanceId", "imageId", "instanceState", "privateIpAddress", "ipAddress",
                                              "placement", "groupSet", "tagSet"])
    }

    @Test func theInstanceReadIsTheSameWithAndWithoutSkipping() throws {
        let whole = try #require(XMLNode.parse(Array(Self.answer.utf8)))
        let pruned = try #require(XMLNode.parse(Array(Self.answer.utf8), skipping: EC2Client.unreadInstanceParts))
        let read = { (tree: XMLNode) in
            tree.items("reservationSet").flatMap { $0.items("instancesSet") }.map(EC2Client.instance)
        }
        #expect(read(pruned) == read(whole))
        let instance = try #require(read(pruned).first)
        #expect(instance.securityGroupIds == ["sg-1"])
        #expect(instance.privateIpAddress == "10.0.0.5")
        #expect(instance.availabilityZone == "us-east-1a")
        #expect(instance.tags.map(\.value) == ["web-1"])
    }

    @Test func malformedXMLInsideASkippedElementIsStillRefused() {
        let broken = "<r><item><networkInterfaceSet><a></b></networkInterfaceSet></item></r>"
        #expect(XMLNode.parse(Array(broken.utf8), skipping: ["networkInterfaceSet"]) == nil)
    }

    @Test func entitiesCDATACommentsAndAttributesReadAsAWSWritesThem() throws {
        let document = """
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment --><Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/" note="a > b">
              <Message>User: arn:aws:iam::1:user/x is not authorized &amp; &lt;denied&gt; &quot;q&quot; &apos;a&apos; &#233;&#x2713;</Message>
              <Data><![CDATA[{"Version": "<2012-10-17>"}]]></Data>
              <Empty/><Nested> <A>1</A> </Nested>
            </Response>
            """
        let tree = try #require(XMLNode.parse(Array(document.utf8)))
        #expect(tree.name == "Response")
        #expect(tree.string("Message") == "User: arn:aws:iam::1:user/x is not authorized & <denied> \"q\" 'a' é✓")
        #expect(tree.string("Data") == "{\"Version\": \"<2012-10-17>\"}")
        #expect(tree.child("Empty")?.text == "")
        #expect(tree.child("Nested")?.text == "")
        #expect(tree.string("Nested/A") == "1")
    }

    @Test(arguments: [
        "<a><b></a></b>",                                   // crossed tags
        "<a>1</a><b>2</b>",                                 // two roots
        "<a>unterminated",                                  // never closed
        "<a>&bogus;</a>",                                   // unknown entity
        "<a>&amp</a>",                                      // unterminated entity
        "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",     // a DTD: refused outright
        "text<a/>",                                         // text outside the root
    ])
    func malformedOrDTDDocumentsAreRefused(_ document: String) {
        #expect(XMLNode.parse(Array(document.utf8)) == nil)
    }
}
