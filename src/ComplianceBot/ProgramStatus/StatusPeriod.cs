using System.Globalization;
using System.Text.RegularExpressions;
using ComplianceBot.Export;

namespace ComplianceBot.ProgramStatus;

/// <summary>
/// The window a status question is about. An occurrence falls in it when its own period ends inside it (the export's rule),
/// so "2026-Q4" holds the quarter's occurrences and the months and weeks inside it.
/// </summary>
public sealed partial record StatusPeriod(string Label, DateOnly Start, DateOnly End)
{
    public const string Hint = "Give the period as 2026-Q4, Q4 (of the current audit year), 2026-H2, 2026-11, 2026-W47, 2026 or 2026-11-27.";

    public bool Contains(DateOnly day) => day >= Start && day <= End;

    /// <summary>The calendar quarter containing <paramref name="today"/>: what "status" means when no period is given.</summary>
    public static StatusPeriod QuarterOf(DateOnly today)
    {
        var start = new DateOnly(today.Year, (((today.Month - 1) / 3) * 3) + 1, 1);
        return new($"{today.Year}-Q{((today.Month - 1) / 3) + 1}", start, start.AddMonths(3).AddDays(-1));
    }

    /// <summary>
    /// Parses an absolute label ("2026-Q4", "2026-W47", …) or one relative to the audit year ("Q4", "H2", "W47"): the year
    /// whose quarter, half or week overlaps the audit period that contains <paramref name="today"/> (today's year when none does).
    /// </summary>
    public static bool TryParse(string? text, DateOnly today, DateOnly auditStart, DateOnly auditEnd, out StatusPeriod period)
    {
        period = null!;
        var label = text?.Trim() ?? "";
        if (RelativePattern().IsMatch(label))
        {
            var candidates = new[] { today.Year, today.Year - 1, today.Year + 1 }
                .Select(year => Absolute($"{year.ToString(CultureInfo.InvariantCulture)}-{label}"))
                .Where(p => p is not null)
                .ToList();
            var inAudit = auditStart != default && today >= auditStart && today <= auditEnd;
            period = candidates.FirstOrDefault(p => inAudit && p!.Start <= auditEnd && p.End >= auditStart) ?? candidates.FirstOrDefault()!;
            return period is not null;
        }

        period = Absolute(label)!;
        return period is not null;
    }

    private static StatusPeriod? Absolute(string label) =>
        ExportPeriod.TryParse(label, out var parsed) ? new StatusPeriod(parsed.Label, parsed.Start, parsed.End) : null;

    [GeneratedRegex(@"^(H[12]|Q[1-4]|W\d{2})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RelativePattern();
}
