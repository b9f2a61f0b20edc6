using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Knowledge;
using ComplianceBot.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComplianceBot.Tests.Knowledge;

/// <summary>A bad edit to knowledge/ does not take a running program offline once a good import exists.</summary>
public sealed class LastGoodImportTests : IDisposable
{
    private readonly KnowledgeCopy _knowledge = new();

    public void Dispose() => _knowledge.Dispose();

    [Fact]
    public async Task TheHostKeepsServingTheLastGoodImportSaysDegradedAndTellsTheAdmins()
    {
        using var first = new KnowledgeHost(_knowledge.Root, null);
        _ = first.CreateClient();
        _knowledge.Replace("program/people.yaml", "time_zone: America/New_York", "time_zone: IST");
        using var restarted = new KnowledgeHost(_knowledge.Root, first.DataDirectory);

        var notifier = restarted.Services.GetServices<IHostedService>().OfType<KnowledgeProblemsNotifier>().Single();
        await notifier.ExecuteTask!;
        var health = await restarted.CreateClient().GetAsync("/healthz");
        var text = await health.Content.ReadAsStringAsync();
        var tasks = await restarted.CreateClient().PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "my tasks" });
        var inbox = await restarted.CreateClient().GetFromJsonAsync<JsonElement>("/api/chat/inbox?user=dana.reyes%40acme.example");

        Assert.StartsWith("Degraded", text);
        Assert.Contains("unknown time zone 'IST'", text);
        Assert.Contains("ambiguous", text);
        Assert.True(tasks.IsSuccessStatusCode);
        Assert.Contains(inbox.EnumerateArray(), m => m.GetProperty("reply").GetProperty("title").GetString() == "Knowledge files need a fix");
    }

    [Fact]
    public void DemoPeopleLeftInARealOrganisationAreWarnedAbout()
    {
        var profile = ProgramProfile.Empty with { Organisation = "Globex", ComplianceContact = "grc@globex.example" };

        var warnings = DemoContent.Leftovers(profile, ["hank@globex.example", "dana.reyes@acme.example"], ["dana.reyes@acme.example"]);
        var demo = DemoContent.Leftovers(ProgramProfile.Empty with { Organisation = "Acme Cloud" }, ["dana.reyes@acme.example"], ["dana.reyes@acme.example"]);
        var mixed = DemoContent.Leftovers(ProgramProfile.Empty with { Organisation = "Acme Cloud" }, ["dana.reyes@acme.example", "hank@globex.example"], []);

        Assert.Contains(warnings, w => w.Contains("'Globex'") && w.Contains("dana.reyes@acme.example"));
        Assert.Contains(warnings, w => w.Contains("control owner"));
        Assert.Empty(demo);
        Assert.Contains(mixed, w => w.Contains("globex.example"));
    }

    [Fact]
    public void TheHostWarnsAtStartupWhenTheOrganisationIsRealButDemoPeopleRemain()
    {
        _knowledge.Replace("program/program.yaml", "organisation: Acme Cloud", "organisation: Globex Payments");
        var logs = new LogCapture();
        using var host = new KnowledgeHost(_knowledge.Root, null);
        host.ConfigureTestServices = services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);

        _ = host.CreateClient();

        Assert.Contains(logs.Entries, e => e.Message.Contains("Demo content mixed with a real organisation") && e.Message.Contains("Globex Payments"));
    }

    /// <summary>A host on a given knowledge folder; a second one can reuse the first one's data directory (a restart).</summary>
    private sealed class KnowledgeHost : BotApplication
    {
        public KnowledgeHost(string knowledge, string? dataDirectory) : base(dataDirectory)
        {
            Settings["Knowledge:Path"] = knowledge;
        }
    }
}
