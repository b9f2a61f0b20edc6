using System.Security.Claims;
using ComplianceBot.Admin;
using ComplianceBot.Channels.Web;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Dashboard;

/// <summary>
/// Who may open the dashboard: a per-person API key with the admin or auditor role (or the configured admin key), and in
/// Development, where the web chat lets anyone pick a person, a compliance admin or auditor picked from the directory.
/// </summary>
public sealed class DashboardSignIn(
    ComplianceDbContext db, ConfiguredKeys configured, FailedKeyAttempts failures, TimeProvider clock, IOptions<WebChatOptions> webChat, IHostEnvironment environment)
{
    private const string KeyIdClaim = "compliancebot:key";
    private const string PersonClaim = "compliancebot:person";
    private const string ConfiguredKeyPrefix = "config:";

    /// <summary>The person picker is offered exactly where the web chat's is: Development, or WebChat:Enabled.</summary>
    public bool PickerEnabled => webChat.Value.IsEnabled(environment);

    /// <summary>Active compliance admins and auditors, for the Development picker.</summary>
    public Task<List<Person>> PickablePeopleAsync(CancellationToken cancellationToken) =>
        db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active && ((p.Roles & PersonRoles.ComplianceAdmin) != 0 || (p.Roles & PersonRoles.Auditor) != 0))
            .OrderBy(p => p.Name).ToListAsync(cancellationToken);

    /// <summary>Signs in with a key; null on success, else what to tell the person (the same words for every wrong key).</summary>
    public async Task<string?> WithKeyAsync(HttpContext http, string? key, CancellationToken cancellationToken)
    {
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (failures.IsLockedOut(client))
        {
            failures.RecordRefused(client);
            return "Too many wrong keys from here; wait a minute and try again.";
        }

        var presented = key?.Trim() ?? "";
        if (presented.Length > 0 && configured.Match(presented) is { } setting && setting.Roles.Contains(ApiPolicies.Admin))
        {
            await SignInAsync(http, setting.Actor, [ApiPolicies.Admin], [new(KeyIdClaim, ConfiguredKeyPrefix + setting.Setting)]);
            return null;
        }

        var hash = ApiKey.HashOf(presented);
        var stored = presented.StartsWith(ApiKey.KeyPrefix, StringComparison.Ordinal)
            ? await db.ApiKeys.AsNoTracking().Include(k => k.Person).SingleOrDefaultAsync(k => k.Sha256 == hash, cancellationToken)
            : null;
        var roles = stored?.Person is { } person && stored.IsUsableAt(clock.GetUtcNow()) ? RolesOf(stored.Roles & ApiKey.AllowedFor(person)) : [];
        if (roles.Length == 0)
        {
            failures.RecordFailure(client);
            return "That key is unknown, revoked, expired, or has neither the admin nor the auditor role.";
        }

        await SignInAsync(http, $"{stored!.Person!.Name} ({stored.Person.Email})", roles,
            [new(KeyIdClaim, stored.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new(PersonClaim, stored.Person.Email)]);
        return null;
    }

    /// <summary>Development's picker: signs in as a compliance admin or auditor from the directory.</summary>
    public async Task<string?> AsPersonAsync(HttpContext http, string? email, CancellationToken cancellationToken)
    {
        if (!PickerEnabled)
        {
            return "Picking a person is only possible where the web chat is enabled (Development). Sign in with your API key.";
        }

        // Like the web chat: the picker answers only on a local (or configured) host name, never through DNS rebinding.
        var hosts = webChat.Value.AllowedHosts.Count > 0 ? webChat.Value.AllowedHosts : [.. WebChatSecurity.LocalHosts];
        if (!hosts.Contains(http.Request.Host.Host, StringComparer.OrdinalIgnoreCase))
        {
            return $"The person picker answers only on {string.Join(", ", hosts)}. Sign in with your API key.";
        }

        var normalized = EmailAddress.Normalize(email ?? "");
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken);
        var roles = person is { IsActive: true } ? RolesOf(person) : [];
        if (roles.Length == 0)
        {
            return $"{normalized} is not an active compliance admin or auditor in the directory.";
        }

        await SignInAsync(http, $"{person!.Name} ({person.Email})", roles, [new(PersonClaim, person.Email)]);
        return null;
    }

    /// <summary>Re-checks a signed-in cookie against the directory and the key store.</summary>
    public async Task<bool> StillAllowedAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var keyId = user.FindFirstValue(KeyIdClaim);
        if (keyId is not null && keyId.StartsWith(ConfiguredKeyPrefix, StringComparison.Ordinal))
        {
            // The break-glass key is checked at sign-in only; its cookie ends with the 8-hour session.
            return true;
        }

        if (keyId is not null)
        {
            var id = int.Parse(keyId, System.Globalization.CultureInfo.InvariantCulture);
            var key = await db.ApiKeys.AsNoTracking().Include(k => k.Person).SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
            return key?.Person is { } owner && key.IsUsableAt(clock.GetUtcNow()) && RolesOf(key.Roles & ApiKey.AllowedFor(owner)).Length > 0;
        }

        var email = user.FindFirstValue(PersonClaim);
        var person = email is null ? null : await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Email == email, cancellationToken);
        return PickerEnabled && person is { IsActive: true } && RolesOf(person).Length > 0;
    }

    private static string[] RolesOf(ApiRoles roles) =>
        [.. new[] { (ApiRoles.Admin, ApiPolicies.Admin), (ApiRoles.Auditor, ApiPolicies.Auditor) }.Where(r => roles.HasFlag(r.Item1)).Select(r => r.Item2)];

    private static string[] RolesOf(Person person) =>
        [.. new[] { (PersonRoles.ComplianceAdmin, ApiPolicies.Admin), (PersonRoles.Auditor, ApiPolicies.Auditor) }.Where(r => person.Has(r.Item1)).Select(r => r.Item2)];

    private static Task SignInAsync(HttpContext http, string name, string[] roles, List<Claim> extra)
    {
        List<Claim> claims = [new(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r)), .. extra];
        return http.SignInAsync(DashboardExtensions.Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, DashboardExtensions.Scheme)));
    }
}
