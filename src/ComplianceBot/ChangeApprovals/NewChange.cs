namespace ComplianceBot.ChangeApprovals;

/// <summary>A change as submitted by the API or the chat form; field names are the API's JSON names and the form's input ids.</summary>
public sealed record NewChange(
    string? Title,
    string? Description,
    string? System,
    string? Risk,
    string? RequesterEmail,
    string? AuthorEmail = null,
    IReadOnlyList<string>? Links = null,
    string? RollbackPlan = null,
    string? TestEvidence = null,
    string? PlannedWindow = null,
    string? CallbackUrl = null)
{
    public static class Fields
    {
        public const string Title = "title";
        public const string Description = "description";
        public const string System = "system";
        public const string Risk = "risk";
        public const string RequesterEmail = "requesterEmail";
        public const string AuthorEmail = "authorEmail";
        public const string Links = "links";
        public const string RollbackPlan = "rollbackPlan";
        public const string TestEvidence = "testEvidence";
        public const string PlannedWindow = "plannedWindow";
        public const string CallbackUrl = "callbackUrl";
    }

    /// <summary>Shape checks that need no database; people and systems are checked by <see cref="ChangeApprovalService"/>. Keyed by field name.</summary>
    public Dictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>();
        Require(errors, Fields.Title, Title, 200);
        Require(errors, Fields.Description, Description, 4000);
        Require(errors, Fields.System, System, 200);
        Require(errors, Fields.RequesterEmail, RequesterEmail, 256);
        if (!TryParseRisk(Risk, out _))
        {
            errors[Fields.Risk] = "risk is required and must be one of: low, medium, high, emergency.";
        }

        if (RollbackPlan?.Length > 4000)
        {
            errors[Fields.RollbackPlan] = "rollbackPlan must be at most 4000 characters.";
        }

        if (TestEvidence?.Length > 4000)
        {
            errors[Fields.TestEvidence] = "testEvidence must be at most 4000 characters.";
        }

        if (PlannedWindow?.Length > 200)
        {
            errors[Fields.PlannedWindow] = "plannedWindow must be at most 200 characters.";
        }

        if (Links is { } links && (links.Any(l => !IsHttpUrl(l)) || string.Join('\n', links).Length > 4000))
        {
            errors[Fields.Links] = "links must be absolute http(s) URLs (at most 4000 characters in all).";
        }

        if (!string.IsNullOrWhiteSpace(CallbackUrl) && (!IsHttpUrl(CallbackUrl) || CallbackUrl.Length > 2000))
        {
            errors[Fields.CallbackUrl] = "callbackUrl must be an absolute http(s) URL.";
        }

        return errors;
    }

    public static bool TryParseRisk(string? value, out ChangeRisk risk)
    {
        risk = default;
        return !string.IsNullOrWhiteSpace(value) && !int.TryParse(value, out _) && Enum.TryParse(value.Trim(), ignoreCase: true, out risk) && Enum.IsDefined(risk);
    }

    /// <summary>Links typed in a form: one per line or separated by spaces or commas.</summary>
    public static IReadOnlyList<string> SplitLinks(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split([' ', '\n', '\r', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void Require(Dictionary<string, string> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = $"{field} is required.";
        }
        else if (value.Trim().Length > maxLength)
        {
            errors[field] = $"{field} must be at most {maxLength} characters.";
        }
    }
}
