using ComplianceBot.Ask;
using ComplianceBot.Knowledge;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Ask;

/// <summary>The Ask service over the repository's knowledge/ folder, lexical only, without a host.</summary>
public static class AskTestKit
{
    private static readonly Lazy<(AskService Service, KnowledgeIndex Index)> Shared = new(() => Create(BotApplication.RepoRoot));

    public static AskService Service => Shared.Value.Service;

    public static KnowledgeIndex Index => Shared.Value.Index;

    public static (AskService Service, KnowledgeIndex Index) Create(string contentRoot, AskOptions? options = null, EmbeddingCache? cache = null)
    {
        var askOptions = Options.Create(options ?? new AskOptions { DenseRetrieval = false, WatchKnowledge = false });
        var index = new KnowledgeIndex(askOptions, Options.Create(new KnowledgeOptions()), new Environment(contentRoot), NullLogger<KnowledgeIndex>.Instance, cache);
        return (new AskService(index, new OfflineComposer(), askOptions, NullLogger<AskService>.Instance), index);
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "ComplianceBot";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
