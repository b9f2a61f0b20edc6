using System.Security.Claims;
using ComplianceBot.Admin;
using Microsoft.AspNetCore.Authentication;

namespace ComplianceBot.Dashboard;

/// <summary>
/// The read-only /dashboard for compliance admins and auditors: Razor Pages (server-rendered HTML forms with antiforgery
/// and cookie sign-in built in, no client framework or script), its own cookie scheme, and a policy on the pages.
/// </summary>
public static class DashboardExtensions
{
    public const string Scheme = "Dashboard";
    public const string Policy = "dashboard";
    public const string SignInPath = "/dashboard/sign-in";

    /// <summary>No script, nothing from elsewhere: styles and SVG are inline, so the page works offline and cannot be framed.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorPages(options => options.RootDirectory = "/Dashboard/Pages");
        services.AddScoped<DashboardSignIn>();
        services.AddAuthentication().AddCookie(Scheme, options =>
        {
            options.Cookie.Name = "compliancebot.dashboard";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = SignInPath;
            options.AccessDeniedPath = SignInPath;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            // Roles are re-read from the directory on every request: a removed admin or revoked key loses the page at once.
            options.Events.OnValidatePrincipal = async context =>
            {
                var signIn = context.HttpContext.RequestServices.GetRequiredService<DashboardSignIn>();
                if (!await signIn.StillAllowedAsync(context.Principal!, context.HttpContext.RequestAborted))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(Scheme);
                }
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireRole(ApiPolicies.Admin, ApiPolicies.Auditor));
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapPost("/dashboard/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(Scheme);
            return TypedResults.Redirect(SignInPath);
        }).RequireAuthorization(Policy).ExcludeFromDescription();
        return app;
    }

    public static string Name(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Name) ?? "?";
}
