using ComplianceBot.Knowledge;
using ComplianceBot.ProgramStatus;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ComplianceBot.Dashboard.Pages;

/// <summary>GET /dashboard?period=2026-Q4: the program at a glance, from the same <see cref="ProgramStatusQuery"/> as GET /api/admin/status.</summary>
[Authorize(Policy = DashboardExtensions.Policy)]
public sealed class IndexModel(ProgramStatusQuery status, ProgramProfileHolder profile) : PageModel
{
    public ProgramStatusReport Report { get; private set; } = null!;

    public string? Problem { get; private set; }

    public string Organisation => profile.Current.Organisation is { Length: > 0 } name ? name : "Compliance program";

    /// <summary>Shortcuts: this quarter, the previous one, this month, this year.</summary>
    public IReadOnlyList<string> Shortcuts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? period, CancellationToken cancellationToken)
    {
        Response.Headers.ContentSecurityPolicy = DashboardExtensions.ContentSecurityPolicy;
        Response.Headers.XFrameOptions = "DENY";
        Response.Headers.CacheControl = "no-store";
        var parsed = status.ParsePeriod(period, out var problem);
        if (parsed is null)
        {
            Problem = problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            parsed = status.CurrentPeriod;
        }

        var today = status.Today;
        var quarter = StatusPeriod.QuarterOf(today);
        Shortcuts = [quarter.Label, StatusPeriod.QuarterOf(quarter.Start.AddDays(-1)).Label, today.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            today.Year.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        Report = await status.ReportAsync(parsed, cancellationToken);
        return Page();
    }
}
