using System.Data.Common;
using System.Globalization;
using System.Text;
using ComplianceBot.AccessReviews;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>5,000 accounts: the import, a page and the bulk keep stay bounded (speed is measured in bench/, not asserted here).</summary>
public sealed class AccessReviewScaleTests
{
    public const int Accounts = 5_000;

    /// <summary>A synthetic export: every 10th account an admin, every 7th dormant, every 50th with no known owner.</summary>
    public static string Export(int count, int changedEvery = 0)
    {
        var csv = new StringBuilder("account_id,display_name,email,role,last_login,teams\n");
        for (var i = 0; i < count; i++)
        {
            var role = i % 10 == 0 ? "admin" : changedEvery > 0 && i % changedEvery == 1 ? "maintainer" : "member";
            var login = i % 7 == 0 ? "2026-01-01" : "2026-11-20";
            var email = i % 50 == 0 ? $"contractor{i}@example.org" : "grace.liu@acme.example";
            csv.Append(CultureInfo.InvariantCulture, $"user{i:00000},User {i},{email},{role},{login},team-{i % 13}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task APageCostsTheSameFewQueriesForTenAccountsAsForFiveThousand()
    {
        var counter = new CommandCounter();
        await using var app = new BotApplication { ConfigureTestServices = s => s.ConfigureDbContext<SqliteComplianceDbContext>(o => o.AddInterceptors(counter)) };
        var chat = new ReviewChat(app);
        var small = await chat.ImportAsync("Okta", "2026-Q4", Export(12));
        var large = await chat.ImportAsync("GitHub", "2026-Q4", Export(Accounts));
        // The first turn of a conversation also creates its state; measure the ones after.
        await chat.StartAsync("aisha.khan@acme.example", large);
        await chat.StartAsync("rachel.kim@acme.example", small);

        var before = counter.Count;
        await chat.StartAsync("rachel.kim@acme.example", small);
        var smallCost = counter.Count - before;
        before = counter.Count;
        var page = await chat.StartAsync("aisha.khan@acme.example", large);
        var largeCost = counter.Count - before;

        Assert.Equal(10, page.GetProperty("items").GetArrayLength());
        Assert.Equal(smallCost, largeCost);
        Assert.True(largeCost <= 12, $"a page took {largeCost} database commands");
    }

    [Fact]
    public async Task AReviewOfFiveThousandAccountsPagesAndBulkKeepsInBoundedMessages()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", Export(Accounts));
        var id = await chat.ImportAsync("GitHub", "2026-Q4", Export(Accounts, changedEvery: 100));

        var page = await chat.StartAsync("aisha.khan@acme.example", id);

        Assert.Equal(10, page.GetProperty("items").GetArrayLength());
        Assert.Contains("0/5000 decided", ReviewChat.Text(page));
        Assert.Contains("Page 1 of 500", ReviewChat.Text(page));
        Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.NotEqual("", ReviewChat.Field(i, "Flags")));
        // One page stays far below what any channel accepts in one message (Slack: 50 blocks, 3,000 characters per section).
        Assert.True(page.GetRawText().Length < 12_000, $"page is {page.GetRawText().Length} characters");

        page = await chat.KeepAllAsync("aisha.khan@acme.example", page);

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var expected = await db.AccessReviewItems.CountAsync(i => i.ReviewId == id && i.Change == AccountChange.Unchanged && i.Flags == AccountFlags.None);
        Assert.True(expected > 3_000);
        Assert.Equal(expected, await db.AccessReviewItems.CountAsync(i => i.ReviewId == id && i.Decision == AccessDecision.Keep));
        Assert.StartsWith($"Kept {expected} unchanged, unflagged accounts.\n{expected}/5000 decided", ReviewChat.Text(page));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "access-review.bulk-kept"));
    }

    /// <summary>Counts every command EF sends, to show a page's cost does not grow with the number of accounts.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;

        public int Count => _count;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }
}
