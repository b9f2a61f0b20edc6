using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ComplianceBot.Dashboard.Pages;

/// <summary>The dashboard's sign-in: an API key with the admin or auditor role, or (Development only) a person from the directory.</summary>
public sealed class SignInModel(DashboardSignIn signIn) : PageModel
{
    public IReadOnlyList<ComplianceBot.People.Person> Pickable { get; private set; } = [];

    public string? Error { get; private set; }

    /// <summary>Where to go after signing in: the dashboard page that asked (a local /dashboard URL only, never another site).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(null, cancellationToken);

    public async Task<IActionResult> OnPostKeyAsync(string? key, CancellationToken cancellationToken) =>
        await signIn.WithKeyAsync(HttpContext, key, cancellationToken) is { } error ? await FailAsync(error, cancellationToken) : LocalRedirect(Destination);

    public async Task<IActionResult> OnPostPersonAsync(string? email, CancellationToken cancellationToken) =>
        await signIn.AsPersonAsync(HttpContext, email, cancellationToken) is { } error ? await FailAsync(error, cancellationToken) : LocalRedirect(Destination);

    private string Destination => ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/dashboard", StringComparison.Ordinal) ? url : "/dashboard";

    private async Task<IActionResult> FailAsync(string error, CancellationToken cancellationToken)
    {
        await LoadAsync(error, cancellationToken);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    private async Task LoadAsync(string? error, CancellationToken cancellationToken)
    {
        Response.Headers.ContentSecurityPolicy = DashboardExtensions.ContentSecurityPolicy;
        Response.Headers.XFrameOptions = "DENY";
        Error = error;
        Pickable = signIn.PickerEnabled ? await signIn.PickablePeopleAsync(cancellationToken) : [];
    }
}
