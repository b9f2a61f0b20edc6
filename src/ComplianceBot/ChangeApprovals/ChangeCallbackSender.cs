using System.Net.Http.Headers;
using ComplianceBot.Outbox;

namespace ComplianceBot.ChangeApprovals;

/// <summary>
/// POSTs a decided change's status to the pipeline's callback URL for the outbox. Any non-2xx answer or network error
/// throws, so the outbox retries on its one policy. Every attempt carries the same <see cref="DeliveryHeader"/>: a
/// callback is at-least-once (a host may die after the POST and before recording it), and that id lets the receiver
/// drop a repeat.
/// </summary>
public sealed class ChangeCallbackSender(IHttpClientFactory httpClients) : IWebhookSender
{
    public const string ClientName = "ChangeCallbacks";
    public const string DeliveryHeader = "X-ComplianceBot-Delivery";

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, message.Url)
        {
            Content = new StringContent(message.Payload, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }),
        };
        request.Headers.Add(DeliveryHeader, message.Key);
        using var response = await httpClients.CreateClient(ClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The callback answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }
    }
}
