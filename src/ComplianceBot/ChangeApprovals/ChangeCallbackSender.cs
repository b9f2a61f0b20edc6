using System.Text;
using ComplianceBot.ChangeApprovals.Callbacks;
using ComplianceBot.Outbox;

namespace ComplianceBot.ChangeApprovals;

/// <summary>
/// POSTs a decided change's status to the pipeline's callback URL for the outbox: signed (<see cref="CallbackSigner"/>)
/// and through the client that refuses private addresses and redirects (<see cref="CallbackUrlPolicy"/>). Any non-2xx
/// answer or network error throws, so the outbox retries on its one policy. Every attempt carries the same
/// <see cref="DeliveryHeader"/>: a callback is at-least-once, and that id lets the receiver drop a repeat.
/// </summary>
public sealed class ChangeCallbackSender(IHttpClientFactory httpClients, CallbackSigner signer) : IWebhookSender
{
    public const string DeliveryHeader = "X-ComplianceBot-Delivery";

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        using var request = signer.CreateRequest(message.Url!, Encoding.UTF8.GetBytes(message.Payload));
        request.Headers.Add(DeliveryHeader, message.Key);
        using var response = await httpClients.CreateClient(CallbackUrlPolicy.ClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The callback answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }
    }
}
