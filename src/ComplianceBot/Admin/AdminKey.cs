using System.Security.Cryptography;
using System.Text;

namespace ComplianceBot.Admin;

public sealed class AdminOptions
{
    /// <summary>Bearer key for /api/admin/*. When empty the admin API refuses everyone.</summary>
    public string? ApiKey { get; set; }
}

public static class AdminKeyExtensions
{
    private const string ActorItem = "admin.actor";

    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration("Admin");
        return services;
    }

    /// <summary>Requires "Authorization: Bearer &lt;Admin:ApiKey&gt;", compared in constant time.</summary>
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireBearerKey(config => config["Admin:ApiKey"], "admin");

    /// <summary>Requires a bearer key read from configuration; any of the named keys may be accepted (e.g. admin or integration key).</summary>
    public static TBuilder RequireBearerKey<TBuilder>(this TBuilder builder, Func<IConfiguration, string?> key, string actor, Func<IConfiguration, string?>? alternateKey = null, string? alternateActor = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var configuration = http.RequestServices.GetRequiredService<IConfiguration>();
            var presented = http.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            string? matched = KeyMatches(presented, key(configuration)) ? actor
                : alternateKey is not null && KeyMatches(presented, alternateKey(configuration)) ? alternateActor ?? actor
                : null;
            if (matched is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Problem("A valid API key is required (Authorization: Bearer <key>). When no key is configured this API is closed.", statusCode: StatusCodes.Status401Unauthorized);
            }

            http.Items[ActorItem] = $"api:{matched}";
            return await next(context);
        });

    /// <summary>The audit actor for an admin API call.</summary>
    public static string AdminActor(this HttpContext http) => http.Items[ActorItem] as string ?? "api:admin";

    private static bool KeyMatches(string presented, string? configured) =>
        !string.IsNullOrEmpty(configured) && presented.Length > 0 &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
