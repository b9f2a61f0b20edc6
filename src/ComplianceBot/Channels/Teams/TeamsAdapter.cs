using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// CloudAdapter with our authentication and an error handler. A subclass because CloudAdapter has two constructors
/// DI cannot choose between.
/// </summary>
public sealed partial class TeamsAdapter : CloudAdapter
{
    /// <summary>
    /// How long the Bot Connector should wait before redelivering after a 503. Short: the SDK fetches the metadata
    /// again on the very next request (see <see cref="IsSigningKeysOutage"/>), so we are back as soon as it is.
    /// </summary>
    public static readonly TimeSpan OutageRetryAfter = TimeSpan.FromSeconds(10);

    private readonly ILogger<TeamsAdapter> _logger;
    private readonly SigningKeyRefresh _signingKeys;
    private readonly IReadOnlySet<string> _allowedTenants;

    public TeamsAdapter(BotFrameworkAuthentication authentication, SigningKeyRefresh signingKeys, IConfiguration configuration, IOptions<TeamsOptions> options, ILogger<TeamsAdapter> logger)
        : base(authentication, logger)
    {
        _logger = logger;
        _signingKeys = signingKeys;
        _allowedTenants = TeamsActivityGate.AllowedTenants(BotCredentials.From(configuration), options.Value);
        // The turn processor already apologises for flow errors; this catches failures around it (connector down while
        // replying, a card Teams refused) so the user sees something and the log has the cause.
        OnTurnError = async (turnContext, exception) =>
        {
            // Proactive turns (continue/create conversation) have no user waiting: the messenger must see the failure
            // (a 403 means the bot was blocked), so it is rethrown rather than apologised for.
            if (turnContext.Activity is { Type: ActivityTypes.Event, Name: ActivityEventNames.ContinueConversation or ActivityEventNames.CreateConversation })
            {
                ExceptionDispatchInfo.Throw(exception);
            }

            logger.LogError(exception, "Teams turn failed for activity {Type} {Name} in {Conversation}",
                turnContext.Activity.Type, turnContext.Activity.Name, turnContext.Activity.Conversation?.Id);
            if (turnContext.Activity.Type != ActivityTypes.Invoke)
            {
                try
                {
                    await turnContext.SendActivityAsync("Sorry, something went wrong on my side. Please try again.");
                }
                catch (Exception sendFailure)
                {
                    logger.LogWarning(sendFailure, "Could not send the apology either");
                }
            }
        };
    }

    /// <summary>
    /// POST /api/messages. CloudAdapter answers 401 only for UnauthorizedAccessException and 400 for a malformed
    /// activity; any other exception from authentication escapes as a 500. Two kinds are not our bugs:
    /// <list type="bullet">
    /// <item>The Bot Connector's OpenID metadata or signing keys cannot be fetched (<see cref="IsSigningKeysOutage"/>):
    /// we cannot tell a good token from a bad one, so 503 with Retry-After, and the Bot Connector delivers again later.</item>
    /// <item>A token IdentityModel itself rejects — unparseable (SecurityTokenMalformedException) or failing a check the
    /// SDK does not translate, such as a forged signature or a key that is still unknown after fetching the keys again
    /// (SecurityTokenValidationException): 401 like every other bad token.</item>
    /// </list>
    /// </summary>
    public async Task ProcessAsync(HttpContext http, IBot bot)
    {
        if (await RefuseAsync(http) is { } refusal)
        {
            _logger.LogWarning("Refused a request to /api/messages from {Remote} ({Status}): {Reason}", http.Connection.RemoteIpAddress, refusal.Status, refusal.Reason);
            http.Response.StatusCode = refusal.Status;
            return;
        }

        try
        {
            await ProcessWithCurrentKeysAsync(http, bot);
        }
        catch (InvalidOperationException ex) when (IsSigningKeysOutage(ex) && !http.Response.HasStarted)
        {
            var metadataUrl = QuotedUrl().Match(ex.Message).Groups[1].Value;
            var fetch = ex.InnerException!;
            var document = QuotedUrl().Match(fetch.Message) is { Success: true } match ? match.Groups[1].Value : metadataUrl;
            var cause = fetch.Data["status_code"] is HttpStatusCode status ? $"HTTP {(int)status}" : fetch.GetBaseException().Message;
            _logger.LogWarning(
                "Cannot validate Bot Connector tokens: the OpenID metadata {MetadataUrl} could not be loaded ({Detail}). " +
                "Answering 503 with Retry-After {RetryAfterSeconds} s so the Bot Connector delivers again.",
                metadataUrl, document == metadataUrl ? cause : $"{document}: {cause}", (int)OutageRetryAfter.TotalSeconds);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = ((int)OutageRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is SecurityTokenValidationException or SecurityTokenMalformedException && !http.Response.HasStarted)
        {
            _logger.LogWarning("Refused a request to /api/messages: {Reason}", ex.Message);
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        }
    }

    /// <summary>The <see cref="TeamsActivityGate"/> checks; the body is buffered so the SDK reads it again from the start.</summary>
    private async Task<TeamsRefusal?> RefuseAsync(HttpContext http)
    {
        if (TeamsActivityGate.CheckAuthorization(http.Request.Headers.Authorization.ToString()) is { } unauthorized)
        {
            return unauthorized;
        }

        // Read once into an array the SDK then reads again (and again after a signing-key refresh). Not EnableBuffering: with
        // a 1 MB memory threshold it rents a 1 MB array from the shared pool per request, and the pool kept 32 of them
        // (a gcdump of bench/HostLoad's host: half its managed heap).
        if (await RequestBody.ReadCappedAsync(http.Request, TeamsActivityGate.MaxBodyBytes, http.RequestAborted) is not { } body)
        {
            return new TeamsRefusal(StatusCodes.Status413PayloadTooLarge, "the activity is larger than 1 MB");
        }

        http.Request.Body = new MemoryStream(body, writable: false);
        return TeamsActivityGate.CheckActivity(body, _allowedTenants);
    }

    /// <summary>
    /// A token signed with a key we have not seen is most likely the Bot Connector's new key after a rotation: fetch the
    /// keys once more (<see cref="SigningKeyRefresh"/>) and validate the same request again. The body is buffered only for
    /// requests that carry a token (anonymous Development requests are never validated).
    /// </summary>
    private async Task ProcessWithCurrentKeysAsync(HttpContext http, IBot bot)
    {
        var hasToken = http.Request.Headers.Authorization.Count > 0;

        try
        {
            await ProcessAsync(http.Request, http.Response, bot, http.RequestAborted);
        }
        catch (SecurityTokenSignatureKeyNotFoundException) when (hasToken && !http.Response.HasStarted && _signingKeys.TryRefresh())
        {
            http.Request.Body.Position = 0;
            await ProcessAsync(http.Request, http.Response, bot, http.RequestAborted);
        }
    }

    /// <summary>
    /// True only for "the OpenID configuration could not be fetched". Read in the SDK and IdentityModel sources we run
    /// (Microsoft.Bot.Connector 4.23.1 JwtTokenExtractor, Microsoft.IdentityModel.Protocols 8.23.0 ConfigurationManager):
    /// JwtTokenExtractor asks a process-wide ConfigurationManager per metadata URL for the OpenID configuration and then
    /// the key endorsements. While it holds no configuration yet, every call fetches again (a failure is not cached; once
    /// it has one, later refresh failures keep serving the last good keys) and a failed fetch throws
    /// InvalidOperationException "IDX20803: Unable to obtain configuration from: '&lt;url&gt;'" with the fetch error inside:
    /// IOException from HttpDocumentRetriever (IDX20804 unreachable, IDX20807 non-success status, for the metadata or
    /// the JWKS document), or from the SDK's EndorsementsRetriever HttpRequestException (unreachable),
    /// TaskCanceledException (timeout) or InvalidOperationException (non-success status). Anything else — a
    /// configuration error such as a non-https URL (ArgumentException inside), a bug — stays a 500.
    /// </summary>
    internal static bool IsSigningKeysOutage(InvalidOperationException ex) =>
        ex is { Source: "Microsoft.IdentityModel.Protocols", InnerException: { } fetch }
        && ex.Message.StartsWith("IDX20803:", StringComparison.Ordinal)
        && fetch is IOException or HttpRequestException or TaskCanceledException or InvalidOperationException { Source: "Microsoft.Bot.Connector" };

    [GeneratedRegex("'(https?://[^']+)'")]
    private static partial Regex QuotedUrl();
}
