import EICCore

/// A stable, machine-readable name for each situation behind a reason or an outcome: the JSON
/// documents' `reason_code` and `detail_code`, listed in schema/plan-output.schema.json and
/// schema/apply-output.schema.json. Scripts branch on these, never on the sentences (`ReasonText`),
/// which may be reworded. Spelled out case by case so renaming a Swift case cannot rename a code.
enum ReasonCode {
    static func code(_ reason: ActionReason) -> String {
        switch reason {
        case .policyAbsent: return "policy_absent"
        case .policyCurrent: return "policy_current"
        case .policyForeign: return "policy_foreign"
        case .policyDiffers: return "policy_differs"
        case .policyUnwritable(.noInstances): return "policy_no_instances"
        case .policyUnwritable(.tooLarge): return "policy_too_large"
        case .policyUnwritable(.template): return "policy_template_invalid"
        case .policyUnwritable(.nameTooLong): return "policy_part_name_too_long"
        case .principalMissing: return "principal_missing"
        case .policyAttached: return "policy_attached"
        case .policyNotAttached: return "policy_not_attached"
        case .attachmentQuota: return "attachment_quota"
        case .foreignPolicyNotAttached: return "foreign_policy_not_attached"
        case .groupMissing: return "group_missing"
        case .ruleCovered: return "rule_covered"
        case .ruleMissing: return "rule_missing"
        case .sourceUnresolved(.operatorAddressUnknown): return "operator_address_unknown"
        case .sourceUnresolved(.ipRangesNotRead): return "ip_ranges_not_read"
        case .sourceUnresolved(.prefixListMissing): return "prefix_list_missing"
        case .ruleQuota: return "rule_quota"
        case .notContacted(.notRunning): return "not_running"
        case .notContacted(.noAddress): return "no_address"
        case .notContacted(.noFleetKey): return "not_probed"
        case .agentUnavailable(.none): return "ssm_agent_not_registered"
        case .agentUnavailable: return "ssm_agent_offline"
        case .probeFailed: return "probe_failed"
        case .unreachable(.ssm, _, _, _): return "ssm_unreachable"
        case .unreachable(.ssh, _, let kind, _):
            switch kind {
            case .hostKeyChanged: return "host_key_changed"
            case .hostKeyUnknown: return "host_key_unknown"
            case .authentication: return "login_refused"
            case .identity: return "ssh_key_unusable"
            case .unreachable, .timeout, .session: return "ssh_unreachable"
            }
        case .foreignCommand: return "foreign_command"
        case .configured: return "configured"
        case .unsupportedDistribution: return "unsupported_distribution"
        case .cannotBecomeRoot(.sudoNeedsPassword, _): return "sudo_needs_password"
        case .cannotBecomeRoot: return "no_root_access"
        case .packageTooOld: return "package_too_old"
        case .packageMissing: return "package_missing"
        case .packageNotConfiguring: return "package_not_configuring"
        }
    }

    /// An outcome's code; an action with nothing to do keeps its reason's code.
    static func code(_ detail: OutcomeDetail) -> String {
        switch detail {
        case .planned(let reason): return code(reason)
        case .notRun: return "not_run"
        case .interrupted: return "interrupted"
        case .error: return "error"
        case .ruleAdded: return "rule_added"
        case .ruleAlreadyThere: return "rule_already_there"
        case .policyCreated: return "policy_created"
        case .policyVersioned: return "policy_versioned"
        case .policyAlreadySays: return "policy_already_says"
        case .policyVanished: return "policy_vanished"
        case .policyAppearedForeign: return "policy_appeared_foreign"
        case .policyAttached: return "attachment_created"
        case .sessionNotOpened: return "session_not_opened"
        case .sessionLost: return "session_lost"
        case .commandDidNotFinish: return "command_did_not_finish"
        case .commandFailed: return "command_failed"
        case .reprobeFailed: return "reprobe_failed"
        case .stillNotEIC: return "still_not_eic"
        case .stillTooOld: return "still_too_old"
        case .onboarded(let upgraded, _): return upgraded ? "upgraded" : "installed"
        }
    }
}
