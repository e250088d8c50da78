"""The ip-ranges.json document awsd serves at /_sandbox/ip-ranges.json (data only)."""

# ip-ranges.json: the shape AWS publishes (syncToken = publication epoch, createDate YYYY-MM-DD-hh-mm-ss).
# EC2_INSTANCE_CONNECT CIDRs are the published ones for those regions; AMAZON/EC2 entries are a sample.
_EIC = [
    ("18.206.107.24/29", "us-east-1"), ("3.16.146.0/29", "us-east-2"), ("13.52.6.112/29", "us-west-1"),
    ("18.237.140.160/29", "us-west-2"), ("18.202.216.48/29", "eu-west-1"), ("3.8.37.24/29", "eu-west-2"),
    ("35.180.112.80/29", "eu-west-3"), ("3.120.181.40/29", "eu-central-1"), ("13.48.4.200/30", "eu-north-1"),
    ("3.112.23.0/29", "ap-northeast-1"), ("3.0.5.32/29", "ap-southeast-1"), ("13.239.158.0/29", "ap-southeast-2"),
    ("13.233.177.0/29", "ap-south-1"), ("35.183.92.176/29", "ca-central-1"), ("18.228.70.32/29", "sa-east-1"),
]
_OTHER = [
    ("3.2.34.0/26", "af-south-1", "AMAZON"), ("52.94.76.0/22", "us-west-2", "AMAZON"),
    ("18.208.0.0/13", "us-east-1", "AMAZON"), ("18.208.0.0/13", "us-east-1", "EC2"),
    ("3.5.140.0/22", "ap-northeast-2", "AMAZON"), ("52.93.178.234/32", "us-west-1", "AMAZON"),
    ("54.240.197.0/24", "eu-west-1", "AMAZON"), ("3.248.0.0/13", "eu-west-1", "EC2"),
    ("13.248.118.0/24", "eu-west-1", "AMAZON"), ("35.71.64.0/22", "ap-southeast-2", "EC2"),
]
IP_RANGES = {
    "syncToken": "1717171717",
    "createDate": "2024-05-31-16-08-37",
    "prefixes": [{"ip_prefix": c, "region": r, "service": "AMAZON", "network_border_group": r} for c, r in _EIC]
    + [{"ip_prefix": c, "region": r, "service": s, "network_border_group": r} for c, r, s in _OTHER]
    + [{"ip_prefix": c, "region": r, "service": "EC2_INSTANCE_CONNECT", "network_border_group": r} for c, r in _EIC],
    "ipv6_prefixes": [
        {"ipv6_prefix": "2600:1f18:6fe3:8c00::/59", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT",
         "network_border_group": "us-east-1"},
        {"ipv6_prefix": "2a05:d018:403:4e00::/56", "region": "eu-west-1", "service": "EC2_INSTANCE_CONNECT",
         "network_border_group": "eu-west-1"},
        {"ipv6_prefix": "2600:1f18::/33", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"},
        {"ipv6_prefix": "2600:1f18::/36", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
        {"ipv6_prefix": "2a05:d000::/25", "region": "eu-west-1", "service": "AMAZON", "network_border_group": "eu-west-1"},
    ],
}
