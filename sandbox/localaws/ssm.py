"""AWS Systems Manager Run Command, answered by the sandbox itself (moto's SSM records SendCommand but
runs nothing and lacks ListCommandInvocations and DescribeInstanceInformation).

Served here (JSON 1.1, X-Amz-Target AmazonSSM.<Action>): SendCommand, GetCommandInvocation,
ListCommandInvocations, ListCommands, DescribeInstanceInformation. Every other SSM action goes to moto.
Requests are signature-checked like the other middleware-served calls and authorized with the caller's
identity policies (ssm:SendCommand on the document ARN and on each target instance ARN, with the
instance's tags as ssm:resourceTag/K and aws:ResourceTag/K; the other four on Resource "*").
Which instances are managed comes from the personality's `agent` column (ssm_fleet.py); running the
script is ssm_runner.py; AWS's limits and shapes are ssm_model.py.
"""
import datetime
import json
import time
import uuid

from .ssm_fleet import AGENT_VERSION, Fleet
from .ssm_model import SSMError, check_send_command, command_status, get_invocation_output, page, plugin_output
from .ssm_runner import Command

ACTIONS = ("SendCommand", "GetCommandInvocation", "ListCommandInvocations", "ListCommands",
           "DescribeInstanceInformation")
PLUGIN_NAME = "aws:runShellScript"


def iso(epoch):
    if epoch is None:
        return ""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class SendRequest:
    def __init__(self, params):
        self.checked = check_send_command(params)
        self.comment = params.get("Comment", "")
        self.parameters = params.get("Parameters") or {}


class RunCommand:
    """The SSM actions above, for one account and region set; `authorize(action, resource, context)`
    raises SSMError (AccessDeniedException) when not allowed."""

    def __init__(self, state_dir, account, chance, faults):
        self.fleet = Fleet(state_dir)
        self.account = account
        self.chance = chance
        self.faults = faults
        self.commands = {}  # command id -> Command, in the order sent

    def handle(self, action, params, region, authorize):
        method = getattr(self, "do_" + action)
        return method(params, region, authorize)

    # ------------------------------------------------------------------ SendCommand
    def resolve_targets(self, request, region):
        """The managed instances a SendCommand names; InvalidInstanceId when a named one is not managed."""
        from moto.ec2.models import ec2_backends
        backend = ec2_backends[self.account][region]
        instance_ids, targets = request.checked[0], request.checked[1]
        named = list(instance_ids or [])
        tag_filters = []
        for target in targets or []:
            if target["Key"] == "InstanceIds":
                named += target["Values"]
            else:
                tag_filters.append(target)
        chosen, invalid = [], []
        for instance_id in dict.fromkeys(named):
            agent = self.fleet.agent(instance_id)
            if agent is None or not agent.registered or not self.running(backend, instance_id):
                invalid.append(instance_id)
            else:
                chosen.append(agent)
        if invalid:
            raise SSMError("InvalidInstanceId",
                           f"Instances [[{', '.join(invalid)}]] not in a valid state for account {self.account}")
        if tag_filters:
            for instance in backend.all_instances():
                tags = {tag["key"]: tag["value"] for tag in instance.get_tags()}
                if all(self.tag_matches(f, tags) for f in tag_filters):
                    agent = self.fleet.agent(instance.id)
                    if agent is not None and agent.registered and instance._state.name == "running" \
                            and agent not in chosen:
                        chosen.append(agent)
        return chosen, backend

    @staticmethod
    def tag_matches(target, tags):
        if target["Key"] == "tag-key":
            return any(value in tags for value in target["Values"])
        return tags.get(target["Key"][4:]) in target["Values"]

    @staticmethod
    def running(backend, instance_id):
        try:
            instance = backend.get_instance_by_id(instance_id)
        except Exception:
            return False
        return instance is not None and instance._state.name == "running"

    def do_SendCommand(self, params, region, authorize):
        request = SendRequest(params)
        agents, backend = self.resolve_targets(request, region)
        authorize("ssm:SendCommand", f"arn:aws:ssm:{region}::document/AWS-RunShellScript", {})
        for agent in agents:
            context = {}
            for tag in backend.get_instance_by_id(agent.instance_id).get_tags():
                for prefix in ("ssm:resourcetag/", "aws:resourcetag/", "ec2:resourcetag/"):
                    context[prefix + tag["key"].lower()] = [tag["value"]]
            authorize("ssm:SendCommand", f"arn:aws:ec2:{region}:{self.account}:instance/{agent.instance_id}", context)
        command_id = str(uuid.uuid4())
        fail = self.faults.get("ssm-fail", 0)
        command = Command(command_id, region, request, agents, lambda: self.chance(fail))
        self.commands[command_id] = command
        command.start()
        return {"Command": self.command_shape(command)}

    def command_shape(self, command):
        status, details = command_status([(i.status, i.details) for i in command.invocations])
        shape = {
            "CommandId": command.command_id, "DocumentName": "AWS-RunShellScript", "DocumentVersion": "$DEFAULT",
            "Comment": command.comment, "ExpiresAfter": command.requested + command.delivery_timeout,
            "Parameters": command.parameters, "InstanceIds": list(command.instance_ids or []),
            "Targets": list(command.targets or []), "RequestedDateTime": command.requested,
            "Status": status, "StatusDetails": details, "OutputS3Region": command.region,
            "OutputS3BucketName": "", "OutputS3KeyPrefix": "", "MaxConcurrency": command.max_concurrency,
            "MaxErrors": command.max_errors, "TargetCount": len(command.invocations), "ServiceRole": "",
            "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
            "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
            "TimeoutSeconds": command.delivery_timeout,
        }
        shape.update(command.counts())
        return shape

    # ------------------------------------------------------------------ results
    def do_GetCommandInvocation(self, params, region, authorize):
        authorize("ssm:GetCommandInvocation", "*", {})
        command = self.commands.get(params.get("CommandId", ""))
        invocation = None
        if command is not None:
            invocation = next((i for i in command.invocations if i.instance_id == params.get("InstanceId")), None)
        plugin = params.get("PluginName")
        if invocation is None or (plugin and plugin != PLUGIN_NAME):
            raise SSMError("InvocationDoesNotExist", "")
        with command.lock:
            stdout, stderr = get_invocation_output(invocation.stdout, invocation.stderr) \
                if invocation.terminal else ("", "")
            elapsed = ""
            if invocation.started is not None and invocation.finished is not None:
                elapsed = f"PT{invocation.finished - invocation.started:.3f}S"
            return {
                "CommandId": command.command_id, "InstanceId": invocation.instance_id, "Comment": command.comment,
                "DocumentName": "AWS-RunShellScript", "DocumentVersion": "$DEFAULT", "PluginName": PLUGIN_NAME,
                "ResponseCode": invocation.response_code,
                "ExecutionStartDateTime": iso(invocation.started), "ExecutionElapsedTime": elapsed,
                "ExecutionEndDateTime": iso(invocation.finished),
                "Status": invocation.status, "StatusDetails": invocation.details,
                "StandardOutputContent": stdout, "StandardOutputUrl": "",
                "StandardErrorContent": stderr, "StandardErrorUrl": "",
                "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
            }

    def do_ListCommandInvocations(self, params, region, authorize):
        authorize("ssm:ListCommandInvocations", "*", {})
        wanted_command, wanted_instance = params.get("CommandId"), params.get("InstanceId")
        commands = list(self.commands.values())
        commands.reverse()  # newest first, as AWS lists them
        rows = [(c, i) for c in commands if wanted_command in (None, c.command_id)
                for i in c.invocations if wanted_instance in (None, i.instance_id)]
        chosen, token = page(rows, params.get("MaxResults"), params.get("NextToken"), 1, 50, 50)
        result = {"CommandInvocations": [self.invocation_shape(c, i, bool(params.get("Details"))) for c, i in chosen]}
        if token:
            result["NextToken"] = token
        return result

    @staticmethod
    def invocation_shape(command, invocation, details):
        with command.lock:
            shape = {
                "CommandId": command.command_id, "InstanceId": invocation.instance_id, "InstanceName": "",
                "Comment": command.comment, "DocumentName": "AWS-RunShellScript", "DocumentVersion": "$DEFAULT",
                "RequestedDateTime": command.requested, "Status": invocation.status,
                "StatusDetails": invocation.details, "TraceOutput": "", "StandardOutputUrl": "",
                "StandardErrorUrl": "", "ServiceRole": "",
                "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
                "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
                "CommandPlugins": [],
            }
            if details:
                plugin = {"Name": PLUGIN_NAME, "Status": invocation.status, "StatusDetails": invocation.details,
                          "ResponseCode": invocation.response_code,
                          "Output": plugin_output(invocation.stdout, invocation.stderr) if invocation.terminal else "",
                          "StandardOutputUrl": "", "StandardErrorUrl": "", "OutputS3Region": command.region,
                          "OutputS3BucketName": "", "OutputS3KeyPrefix": ""}
                if invocation.started is not None:
                    plugin["ResponseStartDateTime"] = invocation.started
                if invocation.finished is not None:
                    plugin["ResponseFinishDateTime"] = invocation.finished
                shape["CommandPlugins"] = [plugin]
            return shape

    def do_ListCommands(self, params, region, authorize):
        authorize("ssm:ListCommands", "*", {})
        commands = list(self.commands.values())
        commands.reverse()
        if params.get("CommandId"):
            commands = [c for c in commands if c.command_id == params["CommandId"]]
            if not commands:
                raise SSMError("InvalidCommandId", "")
        if params.get("InstanceId"):
            commands = [c for c in commands if any(i.instance_id == params["InstanceId"] for i in c.invocations)]
        chosen, token = page(commands, params.get("MaxResults"), params.get("NextToken"), 1, 50, 50)
        result = {"Commands": [self.command_shape(c) for c in chosen]}
        if token:
            result["NextToken"] = token
        return result

    # ------------------------------------------------------------------ DescribeInstanceInformation
    def do_DescribeInstanceInformation(self, params, region, authorize):
        authorize("ssm:DescribeInstanceInformation", "*", {})
        agents = self.fleet.registered()
        filters = [(f.get("Key", ""), f.get("Values") or []) for f in params.get("Filters") or []]
        filters += [(f.get("key", ""), f.get("valueSet") or []) for f in params.get("InstanceInformationFilterList") or []]
        for key, values in filters:
            if key == "InstanceIds":
                agents = [a for a in agents if a.instance_id in values]
            elif key == "PingStatus":
                agents = [a for a in agents if a.ping_status in values]
            elif key in ("PlatformTypes", "PlatformType"):
                agents = [a for a in agents if "Linux" in values]
            else:
                raise SSMError("InvalidInstanceInformationFilterValue",
                               f"The sandbox supports the filter keys InstanceIds, PingStatus, PlatformTypes, not {key}")
        chosen, token = page(agents, params.get("MaxResults"), params.get("NextToken"), 5, 50, 10)
        now = time.time()
        result = {"InstanceInformationList": [{
            "InstanceId": a.instance_id, "PingStatus": a.ping_status, "LastPingDateTime": now if a.online else now - 600,
            "AgentVersion": AGENT_VERSION, "IsLatestVersion": False, "PlatformType": "Linux",
            "PlatformName": a.platform_name, "PlatformVersion": a.platform_version,
            "ResourceType": "EC2Instance", "IPAddress": a.ip, "ComputerName": a.computer_name,
            "SourceId": a.instance_id, "SourceType": "AWS::EC2::Instance",
            "AssociationStatus": "Success",
        } for a in chosen]}
        if token:
            result["NextToken"] = token
        return result

    @staticmethod
    def encode(result):
        return json.dumps(result)
