using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>Refusals are audited, reads are authorised like writes, aliases are people, and the CSV cap holds for chunked bodies.</summary>
public sealed class AccessReviewHardeningTests
{
    private const string Aisha = "aisha.khan@acme.example";
    private const string Priya = "priya.nair@acme.example";
    private const string Omar = "omar.haddad@acme.example";

    private static async Task<(BotApplication App, ReviewChat Chat, int Id)> Q4ReviewAsync(string csv = ReviewChat.GitHubQ4)
    {
        var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", csv);
        return (app, chat, id);
    }

    private static async Task<List<(string Actor, string Data)>> RefusalsAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        return [.. (await BotApplication.Db(scope).AuditEvents.Where(e => e.Action == "access-review.refused").OrderBy(e => e.Sequence).ToListAsync()).Select(e => (e.Actor, e.Data))];
    }

    [Fact]
    public async Task DecidingOnesOwnOrSomeoneElsesAccountAndASignOffByANonReviewerAreRefusedAndAudited()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var managerPage = await chat.StartAsync(Priya, id);
        var keepOwn = ReviewChat.Button(ReviewChat.Item(managerPage, "aisha-k"), "access.keep");

        await chat.ClickAsync(Aisha, keepOwn);
        await chat.ClickAsync(Omar, keepOwn);
        var signOff = await chat.ClickAsync(Omar, System.Text.Json.JsonDocument.Parse($$$"""{"id":"access.sign-off","data":{"review":"{{{id}}}"}}""").RootElement);

        Assert.StartsWith("Only the reviewer", ReviewChat.Text(signOff));
        var refusals = await RefusalsAsync(app);
        Assert.Equal([Aisha, Omar, Omar], refusals.Select(r => r.Actor));
        Assert.Contains("your own account", refusals[0].Data);
        Assert.Contains("not yours to decide", refusals[1].Data);
        Assert.Contains("sign off", refusals[2].Data);
    }

    [Fact]
    public async Task SomeoneWithNothingInAReviewCannotOpenItOrSeeAnAccountThroughTheRevokeForm()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var managerPage = await chat.StartAsync(Priya, id);
        var revoke = ReviewChat.Button(ReviewChat.Item(managerPage, "aisha-k"), "access.revoke");

        var start = await chat.StartAsync(Omar, id);
        var form = await chat.ClickAsync(Omar, revoke);

        Assert.Equal("I couldn't find that access review.", ReviewChat.Text(start));
        Assert.DoesNotContain("aisha-k", ReviewChat.Text(form));
        Assert.Equal("I couldn't find that account any more.", ReviewChat.Text(form));
        // The people who hold accounts of it still can.
        Assert.StartsWith("Revoke aisha-k", ReviewChat.Text(await chat.ClickAsync(Priya, revoke)));
    }

    [Fact]
    public async Task AnAccountUnderAPlusAddressedAliasIsStillTheReviewersOwnAccount()
    {
        var aliased = ReviewChat.GitHubQ4.Replace("aisha-k,Aisha Khan,aisha.khan@acme.example", "aisha-k,Aisha Khan,Aisha.Khan+gh@acme.example", StringComparison.Ordinal);
        var (app, chat, id) = await Q4ReviewAsync(aliased);
        await using var host = app;

        var own = await chat.StartAsync(Aisha, id);
        var managers = await chat.StartAsync(Priya, id);

        Assert.DoesNotContain(own.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.StartsWith("aisha-k", StringComparison.Ordinal));
        var item = ReviewChat.Item(managers, "aisha-k");
        await chat.ClickAsync(Aisha, ReviewChat.Button(item, "access.keep"));
        Assert.Single(await RefusalsAsync(app));
    }

    [Fact]
    public async Task AChunkedCsvOverTheCapIsRefusedWhileReading()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var line = Encoding.UTF8.GetBytes("acct-000000,Someone,someone@acme.example,member,2026-11-01\n");
        var header = "account_id,display_name,email,role,last_login\n"u8.ToArray();
        using var content = new StreamContent(new NonSeekableStream(header, line, 25 * 1024 * 1024));
        content.Headers.ContentType = new("text/csv");

        var response = await chat.Admin.PostAsync("/api/admin/access-reviews?system=GitHub&period=2026-Q4", content);

        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).Set<ComplianceBot.AccessReviews.AccessReview>().AnyAsync());
    }

    /// <summary>A header then one line repeated up to a size, readable once, with no length: sent chunked.</summary>
    private sealed class NonSeekableStream(byte[] header, byte[] line, long size) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count && _position < size)
            {
                var source = _position < header.Length ? header : line;
                var within = _position < header.Length ? _position : (_position - header.Length) % line.Length;
                var n = (int)Math.Min(Math.Min(count - written, source.Length - within), size - _position);
                Array.Copy(source, within, buffer, offset + written, n);
                written += n;
                _position += n;
            }

            return written;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
