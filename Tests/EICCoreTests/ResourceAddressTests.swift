import Testing
@testable import EICCore

/// Typed addresses (issue 23): one rendering, and the planner decides by the type, not by the text.
@Suite struct ResourceAddressTests {
    @Test func eachAddressHasOneRendering() {
        let user = PrincipalRef(kind: .user, name: "eic-user")
        #expect(ResourceAddress.instance(id: "i-0abc").description == "instance[i-0abc]")
        #expect(ResourceAddress.iamPolicy(name: "EIC").description == "iam_policy[EIC]")
        #expect(ResourceAddress.iamAttachment(policy: "EIC", principal: user).description == "iam_attachment[EIC → user/eic-user]")
        #expect(ResourceAddress.securityGroupRule(groupId: "sg-1", rule: "tcp/22 from 203.0.113.7/32").description
            == "security_group[sg-1].ingress[tcp/22 from 203.0.113.7/32]")
        #expect(ResourceAddress.iamPrincipal(user).description == "iam_principal[user/eic-user]")
        #expect(ResourceAddress.securityGroupRule(groupId: "sg-1", rule: "tcp/22").groupId == "sg-1")
        #expect(ResourceAddress.instance(id: "i-0abc").instanceId == "i-0abc" && ResourceAddress.iamPolicy(name: "x").instanceId == nil)
    }

    /// A policy whose name looks like another address's text is still only that policy.
    @Test func namesThatLookLikeAddressesDoNotCollide() {
        let odd = ResourceAddress.iamPolicy(name: "x] instance[i-0abc")
        #expect(odd != .instance(id: "i-0abc") && odd.instanceId == nil)
    }
}
