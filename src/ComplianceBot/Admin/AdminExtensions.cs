using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Admin;

public static class AdminExtensions
{
    /// <summary>
    /// API keys as an authentication scheme and one authorization policy per role. The scheme is not the default: it runs
    /// only on routes whose policy names it, so the Bot Framework's own bearer tokens on /api/messages never reach it.
    /// </summary>
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration("Admin");
        services.AddSingleton<IValidateOptions<AdminOptions>, KeyLengthValidation>();
        services.AddOptions<AdminOptions>().ValidateOnStart();
        services.AddSingleton<ConfiguredKeys>();
        services.AddSingleton<FailedKeyAttempts>();
        services.AddHostedService<FailedKeyAttemptsLog>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Admin, Policy(ApiPolicies.Admin))
            .AddPolicy(ApiPolicies.Auditor, Policy(ApiPolicies.Admin, ApiPolicies.Auditor))
            .AddPolicy(ApiPolicies.Integration, Policy(ApiPolicies.Admin, ApiPolicies.Integration))
            .AddPolicy(ApiPolicies.Ask, Policy(ApiPolicies.Admin, ApiPolicies.Integration, ApiPolicies.AskRole));
        return services;
    }

    /// <summary>The audit actor of an API call: "dana.reyes@acme.example (api key 3)" or "break-glass:Admin:ApiKey".</summary>
    public static string AdminActor(this HttpContext http) =>
        http.User.FindFirstValue(ApiKeyAuthenticationHandler.ActorClaim) ?? throw new InvalidOperationException("AdminActor on a route without an API key policy.");

    private static Action<Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder> Policy(params string[] roles) => policy => policy
        .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
        .RequireAuthenticatedUser()
        .RequireRole(roles);

    /// <summary>Outside Development a short configured key stops the host: it could be guessed.</summary>
    private sealed class KeyLengthValidation(ConfiguredKeys keys, IHostEnvironment environment) : IValidateOptions<AdminOptions>
    {
        public ValidateOptionsResult Validate(string? name, AdminOptions options)
        {
            var weak = environment.IsDevelopment() ? [] : keys.TooShort().ToList();
            return weak.Count == 0 ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{string.Join(", ", weak)} must be at least {AdminOptions.MinimumKeyLength} characters outside Development (generate one with: openssl rand -base64 32).");
        }
    }
}
