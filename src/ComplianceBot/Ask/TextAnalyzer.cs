using System.Text;

namespace ComplianceBot.Ask;

/// <summary>
/// Turns text into index terms: lower case, ASCII letters and digits, stop words dropped, a light suffix stemmer
/// (so "vulnerabilities" meets "vulnerability"), and query-side synonyms for the way people really ask.
/// </summary>
public static class TextAnalyzer
{
    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from",
        "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "my", "of", "on", "or", "our", "ours",
        "so", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "us", "was", "we",
        "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your", "about", "any",
        "all", "also", "am", "actually", "really", "even", "some", "such", "than", "should", "shall", "may", "might", "must",
        "need", "needs", "want", "wants", "get", "got", "thing", "things", "pls", "please", "hey", "hi", "ok", "okay", "like",
        "soc", "soc2", "tsc", "criterion", "criteria", "require", "requires", "required", "say", "says", "mean", "means",
        "s", "t", "re", "ve", "ll", "d", "m", "im", "dont", "doesnt", "isnt", "whats", "it's", "other", "only", "one", "very",
    ];

    // Query-side expansions: colloquial words people use mapped to the vocabulary of the knowledge files.
    // Kept general (topic vocabulary), never tied to particular questions.
    private static readonly Dictionary<string, string[]> Synonyms = new(StringComparer.Ordinal)
    {
        ["pentest"] = ["penetration", "test", "evaluation"],
        ["pen"] = ["penetration"],
        ["vuln"] = ["vulnerability"],
        ["vulns"] = ["vulnerability"],
        ["patch"] = ["patch", "vulnerability", "change"],
        ["patching"] = ["patch", "vulnerability", "change"],
        ["tabletop"] = ["incident", "response", "test", "exercise"],
        ["ir"] = ["incident", "response"],
        ["dr"] = ["disaster", "recovery"],
        ["bcp"] = ["continuity"],
        ["mfa"] = ["multi", "factor", "authentication"],
        ["2fa"] = ["multi", "factor", "authentication"],
        ["sso"] = ["single", "sign", "authentication"],
        ["tls"] = ["encryption", "transit", "transmission"],
        ["ssl"] = ["encryption", "transit", "transmission"],
        ["https"] = ["encryption", "transit"],
        ["kms"] = ["key", "cryptographic", "encryption"],
        ["rotation"] = ["key", "rotation"],
        ["fte"] = ["employee"],
        ["ftes"] = ["employee"],
        ["contractor"] = ["contractor", "vendor", "outsourced"],
        ["contractors"] = ["contractor", "vendor", "outsourced"],
        ["ciso"] = ["responsibility", "authority", "security", "role"],
        ["cto"] = ["leadership", "management"],
        ["ceo"] = ["leadership", "management"],
        ["acquired"] = ["acquisition", "change", "business"],
        ["acquisition"] = ["acquisition", "change", "business"],
        ["merger"] = ["acquisition", "change", "business"],
        ["leaving"] = ["leadership", "change", "turnover"],
        ["sla"] = ["service", "level", "vendor", "performance"],
        ["slas"] = ["service", "level", "vendor", "performance"],
        ["supplier"] = ["vendor"],
        ["backup"] = ["backup", "recovery"],
        ["backups"] = ["backup", "recovery"],
        ["restore"] = ["restore", "recovery", "backup"],
        ["restoring"] = ["restore", "recovery", "backup"],
        ["ups"] = ["power", "environmental"],
        ["fire"] = ["fire", "environmental"],
        ["flood"] = ["water", "environmental"],
        ["hvac"] = ["environmental"],
        ["nda"] = ["confidential", "confidentiality"],
        ["roadmap"] = ["confidential"],
        ["gdpr"] = ["privacy", "personal"],
        ["pii"] = ["personal", "information"],
        ["analytics"] = ["personal", "use"],
        ["opt"] = ["choice", "consent"],
        ["optout"] = ["choice", "consent"],
        ["leads"] = ["personal", "collection"],
        ["broker"] = ["third", "party", "source", "collection"],
        ["crm"] = ["personal", "information", "quality"],
        ["stale"] = ["accurate", "quality", "current"],
        ["duplicate"] = ["accurate", "quality"],
        ["laptop"] = ["endpoint", "device"],
        ["laptops"] = ["endpoint", "device"],
        ["macbook"] = ["endpoint", "device"],
        ["macbooks"] = ["endpoint", "device"],
        ["brew"] = ["install", "software"],
        ["admin"] = ["admin", "privileged"],
        ["cis"] = ["configuration", "hardening", "baseline", "standard"],
        ["drift"] = ["configuration", "baseline", "change", "detection"],
        ["hardening"] = ["configuration", "hardening", "baseline"],
        ["ec2"] = ["infrastructure", "configuration"],
        ["hotfix"] = ["emergency", "change"],
        ["outage"] = ["incident", "availability"],
        ["uptime"] = ["availability"],
        ["capacity"] = ["capacity", "availability"],
        ["offboarding"] = ["deprovisioning", "removal", "termination"],
        ["onboarding"] = ["provisioning", "registration"],
        ["leaver"] = ["deprovisioning", "removal", "termination"],
        ["leavers"] = ["deprovisioning", "removal", "termination"],
        ["background"] = ["background", "screening"],
        ["whistleblower"] = ["reporting", "channel", "anonymous"],
        ["hotline"] = ["reporting", "channel", "anonymous"],
        ["board"] = ["board", "oversight", "independence"],
        ["fraud"] = ["fraud", "risk"],
        ["siem"] = ["monitoring", "log", "anomaly"],
        ["logging"] = ["log", "monitoring"],
        ["alerts"] = ["monitoring", "anomaly"],
        ["malware"] = ["malicious", "software"],
        ["antivirus"] = ["malicious", "software"],
        ["firewall"] = ["boundary", "network", "protection"],
        ["waf"] = ["boundary", "network", "protection"],
        ["vpn"] = ["remote", "access", "transit"],
        ["badge"] = ["physical", "access"],
        ["datacenter"] = ["physical", "environmental"],
        ["shred"] = ["disposal", "destruction"],
        ["wipe"] = ["disposal", "destruction"],
        ["delete"] = ["deletion", "disposal", "destruction"],
        ["deleting"] = ["deletion", "disposal", "destruction"],
        ["destroy"] = ["destruction", "disposal"],
        ["retention"] = ["retention", "retain"],
        ["questionnaire"] = ["vendor", "assessment"],
        ["dpa"] = ["vendor", "agreement"],
        ["msa"] = ["agreement", "commitment"],
        ["type1"] = ["type", "1"],
        ["type2"] = ["type", "2"],
        ["ssae"] = ["attestation", "standard", "aicpa"],
        ["cpa"] = ["auditor", "aicpa", "cpa"],
        ["auditor"] = ["auditor", "examination"],
        ["opinion"] = ["opinion", "report"],
        ["cuec"] = ["complementary", "user", "entity", "controls", "cuec"],
        ["cuecs"] = ["complementary", "user", "entity", "controls", "cuec"],
        ["csoc"] = ["complementary", "subservice", "controls", "csoc"],
        ["csocs"] = ["complementary", "subservice", "controls", "csoc"],
        ["carveout"] = ["carve", "subservice"],
        ["aws"] = ["aws"],
        ["postgres"] = ["postgres", "database"],
        ["db"] = ["database"],
        ["website"] = ["website", "marketing"],
        ["site"] = ["website"],
        ["wiki"] = ["wiki"],
        ["shared"] = ["disclosure", "third", "party"],
        ["share"] = ["disclosure", "third", "party"],
        ["sharing"] = ["disclosure", "third", "party"],
        ["info"] = ["information"],
        ["companies"] = ["third", "party"],
        ["ppl"] = ["people", "personnel"],
        ["devs"] = ["developer", "engineer"],
        ["prod"] = ["production"],
        ["2am"] = ["emergency"],
    };

    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                current.Append(c);
            }
            else if (c == '\'' && current.Length > 0)
            {
                // "customer's" -> "customer"; "don't" -> "don"
                Flush();
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return tokens;

        void Flush()
        {
            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary>Index terms of a document or passage (no synonyms: the files already use the vocabulary).</summary>
    public static List<string> Terms(string text) =>
        [.. Tokenize(text).Where(t => !StopWords.Contains(t)).Select(Stem)];

    /// <summary>Query terms: the words plus synonym expansions (expansions are marked so they weigh less).</summary>
    public static List<(string Term, double Weight)> QueryTerms(string text)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var token in Tokenize(text))
        {
            if (Synonyms.TryGetValue(token, out var expansions))
            {
                foreach (var expansion in expansions)
                {
                    Add(Stem(expansion), expansion == token ? 1.0 : 0.5);
                }
            }

            if (!StopWords.Contains(token))
            {
                Add(Stem(token), 1.0);
            }
        }

        return [.. result.Select(r => (r.Key, r.Value))];

        void Add(string term, double weight)
        {
            if (!result.TryGetValue(term, out var existing) || existing < weight)
            {
                result[term] = weight;
            }
        }
    }

    /// <summary>A small, predictable English suffix stemmer; both sides of the index use it, so it only has to be consistent.</summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || char.IsDigit(word[0]))
        {
            return word;
        }

        string w = word;
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4)
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith("sses", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        foreach (var suffix in Suffixes)
        {
            if (w.EndsWith(suffix, StringComparison.Ordinal) && w.Length - suffix.Length >= 4)
            {
                w = w[..^suffix.Length];
                break;
            }
        }

        if (w.EndsWith('e') && w.Length > 4)
        {
            w = w[..^1];
        }

        if (w.EndsWith('y') && w.Length > 4)
        {
            w = w[..^1] + "i";
        }

        return w;
    }

    // Longest first; "ization" before "ation" before "ion".
    private static readonly string[] Suffixes =
    [
        "ization", "isation", "ational", "fulness", "iveness", "ability", "ibility", "ement", "ation", "ition", "ating",
        "ively", "ously", "ated", "ment", "ness", "ance", "ence", "able", "ible", "ical", "ity", "ive", "ize", "ise", "ate",
        "ing", "ion", "ous", "ful", "ally", "ly", "ed", "al", "ic",
    ];
}
