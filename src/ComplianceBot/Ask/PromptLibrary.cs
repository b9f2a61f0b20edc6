using System.Collections.Concurrent;

namespace ComplianceBot.Ask;

/// <summary>Prompts are reviewed files under prompts/ (shipped as content), never string literals in code.</summary>
public sealed class PromptLibrary(IHostEnvironment environment)
{
    private readonly ConcurrentDictionary<string, string> _cache = new(StringComparer.Ordinal);

    public string Get(string name) => _cache.GetOrAdd(name, n =>
    {
        foreach (var root in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            var path = Path.Combine(root, "prompts", n);
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new FileNotFoundException($"Prompt prompts/{n} is missing", n);
    });
}
