/// The AWS services eicsetup talks to, with what signing and endpoint resolution need.
public enum AWSService: String, Sendable, CaseIterable {
    case ec2
    case iam
    case sts
    case ec2InstanceConnect
    /// Systems Manager: Run Command and the agents' registrations (the SSM transport).
    case ssm

    /// The SigV4 signing name (credential scope service).
    public var signingName: String {
        switch self {
        case .ec2: return "ec2"
        case .iam: return "iam"
        case .sts: return "sts"
        case .ec2InstanceConnect: return "ec2-instance-connect"
        case .ssm: return "ssm"
        }
    }

    /// The `<SERVICE>` part of `AWS_ENDPOINT_URL_<SERVICE>` (the service id, upper-cased, spaces → `_`).
    public var environmentSuffix: String {
        switch self {
        case .ec2: return "EC2"
        case .iam: return "IAM"
        case .sts: return "STS"
        case .ec2InstanceConnect: return "EC2_INSTANCE_CONNECT"
        case .ssm: return "SSM"
        }
    }

    /// The API version that Query protocol requests carry.
    var apiVersion: String {
        switch self {
        case .ec2: return "2016-11-15"
        case .iam: return "2010-05-08"
        case .sts: return "2011-06-15"
        case .ec2InstanceConnect: return "2018-04-02"
        case .ssm: return "2014-11-06"
        }
    }

    /// IAM is a global service: one endpoint per partition, signed for that partition's home region.
    var isGlobal: Bool { self == .iam }
}
