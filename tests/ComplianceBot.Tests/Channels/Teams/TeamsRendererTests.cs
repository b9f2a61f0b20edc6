using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.Channels.Teams;

public sealed class TeamsRendererTests
{
    [Fact]
    public void ButtonsAreUniversalActionsWithTheActionIdAsVerbAndNoSubmitFallback()
    {
        var card = TeamsRenderer.Render(new Reply("x") { Actions = [new ReplyAction("tasks.details", "Details", new Dictionary<string, string> { ["task"] = "27" }, ActionStyle.Primary)] }).Single();

        var execute = Actions(card).Single();
        Assert.Equal("tasks.details", (string?)execute["verb"]);
        Assert.Equal("27", (string?)execute["data"]!["task"]);
        Assert.Equal("positive", (string?)execute["style"]);
        // A 1.5 card renders only where Action.Execute works; a fallback would double every button's size for nothing.
        Assert.Null(execute["fallback"]);
        Assert.DoesNotContain("Action.Submit", TeamsRenderer.ToJson(card), StringComparison.Ordinal);
        Assert.Equal("1.5", (string?)card["version"]);
    }

    [Fact]
    public void ConfirmationOpensAnInlineCardHoldingTheRealAction()
    {
        var card = TeamsRenderer.Render(new Reply("x") { Actions = [new ReplyAction("changes.reject", "Reject", Style: ActionStyle.Danger) { Confirm = "Reject CR-7?" }] }).Single();

        var show = Descendants(card).Single(n => (string?)n["type"] == "Action.ShowCard");
        Assert.Contains(Descendants(show), n => (string?)n["text"] == "Reject CR-7?");
        var execute = Actions(show).Single();
        Assert.Equal("changes.reject", (string?)execute["verb"]);
        Assert.Equal("destructive", (string?)execute["style"]);
    }

    [Fact]
    public void RefreshNamesTheListedUsersAndTheVerbThatBuildsTheirView()
    {
        var reply = new Reply("CR-7") { Refresh = new UserSpecificView("changes.view", new Dictionary<string, string> { ["request"] = "7" }, [1, 2]) };

        var card = TeamsRenderer.Render(reply, ["29:a", "29:b"]).Single();

        Assert.Equal("changes.view", (string?)card["refresh"]!["action"]!["verb"]);
        Assert.Equal("7", (string?)card["refresh"]!["action"]!["data"]!["request"]);
        Assert.Equal(["29:a", "29:b"], card["refresh"]!["userIds"]!.AsArray().Select(u => (string?)u));
    }

    [Fact]
    public void RefreshNeverListsMoreThanSixtyUsers()
    {
        var reply = new Reply("CR-7") { Refresh = new UserSpecificView("changes.view", new Dictionary<string, string>(), [.. Enumerable.Range(1, 80)]) };

        var card = TeamsRenderer.Render(reply, [.. Enumerable.Range(1, 80).Select(i => $"29:{i}")]).Single();

        Assert.Equal(60, card["refresh"]!["userIds"]!.AsArray().Count);
    }

    [Fact]
    public void ChoiceInputsBecomeCompactChoiceSetsWithTheirOptions()
    {
        var form = new ReplyForm("Attest", "attest.submit", "Submit", [new ReplyInput("outcome", "Outcome", InputKind.Choice) { Required = true, Value = "performed", Options = [new ChoiceOption("performed", "Performed"), new ChoiceOption("not_performed", "Not performed")] }]);

        var card = TeamsRenderer.Render(new Reply("x") { Form = form }).Single();

        var input = Input(card, "outcome");
        Assert.Equal("Input.ChoiceSet", (string?)input["type"]);
        Assert.True((bool)input["isRequired"]!);
        Assert.Equal("performed", (string?)input["value"]);
        Assert.Equal(["performed", "not_performed"], Choices(input));
        Assert.Contains(Actions(card), n => (string?)n["verb"] == "attest.submit");
    }

    [Fact]
    public void LongListsAreSplitAcrossCardsUnderTheSizeLimitWithNothingLost()
    {
        var items = Enumerable.Range(1, 300).Select(i => new ReplyItem($"Account user{i}@acme.example — admin on AWS production account, last login 2026-11-{i % 28 + 1:00}")
        {
            Fields = [new ReplyField("Owner", "Priya Natarajan")],
            Actions = [new ReplyAction("review.keep", "Keep", new Dictionary<string, string> { ["account"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }), new ReplyAction("review.revoke", "Revoke")],
        }).ToList();
        var reply = new Reply("Quarterly access review") { Title = "AWS production account", Items = items, Actions = [new ReplyAction("review.keepall", "Keep all")] };

        var cards = TeamsRenderer.Render(reply);

        Assert.True(cards.Count > 1);
        // Measured as it goes on the wire (TeamsRenderer.ToJson: "—" and "é" as themselves, not \uXXXX escapes).
        Assert.All(cards, c => Assert.True(TeamsRenderer.ToJson(c).Length <= TeamsRenderer.MaxCardChars, $"card of {TeamsRenderer.ToJson(c).Length} chars"));
        var texts = cards.SelectMany(Descendants).Select(n => (string?)n["text"]).OfType<string>().ToList();
        Assert.All(Enumerable.Range(1, 300), i => Assert.Contains(texts, t => t.StartsWith($"Account user{i}@", StringComparison.Ordinal)));
        Assert.Contains("Part 1 of", texts[0]);
        Assert.Contains(Descendants(cards[^1]), n => (string?)n["verb"] == "review.keepall");
        Assert.DoesNotContain(Descendants(cards[0]), n => (string?)n["verb"] == "review.keepall");
    }

    [Fact]
    public void ButtonsWhoseTitlesWouldNotFitOneRowGoOnTheNextRowInOrder()
    {
        var reply = new Reply("page")
        {
            Actions = [new("access.page", "Previous"), new("access.page", "Next"), new("access.keep_all", "Keep all unchanged, unflagged accounts (212)"), new("access.sign_off", "Sign off")],
        };

        var card = TeamsRenderer.Render(reply).Single();

        var rows = Descendants(card).Where(n => (string?)n["type"] == "ActionSet").Select(set => set["actions"]!.AsArray().Select(a => (string?)a!["title"]).ToList()).ToList();
        Assert.Equal([["Previous", "Next"], ["Keep all unchanged, unflagged accounts (212)"], ["Sign off"]], rows);
    }

    [Fact]
    public void EveryPartOfAReplyWithEveryFieldAtTheApisLongestStaysWithinTheBudget()
    {
        // Details, two 4,000-character facts, a 4,000-character text and fallback, refresh: the card around each part counts too.
        foreach (var reply in PlatformSdkTests.HostileReplies())
        {
            var cards = TeamsRenderer.Render(reply, ["29:1"]);

            Assert.All(cards, c => Assert.True(TeamsRenderer.ToJson(c).Length <= TeamsRenderer.MaxCardChars, $"card of {TeamsRenderer.ToJson(c).Length} chars"));
            Assert.All(cards, c => Assert.True(((string)c["fallbackText"]!).Length <= 1_000));
        }
    }

    [Fact]
    public void LongTextIsSplitAtParagraphsNotCutOff()
    {
        var paragraphs = Enumerable.Range(1, 80).Select(i => $"Paragraph {i}: " + string.Concat(Enumerable.Repeat("evidence must show the control operated ", 8)).TrimEnd());
        var text = string.Join("\n\n", paragraphs);

        var cards = TeamsRenderer.Render(new Reply(text));

        Assert.True(cards.Count > 1);
        var rendered = string.Join("\n\n", cards.SelectMany(Descendants).Where(n => (string?)n["type"] == "TextBlock" && n["isSubtle"] is null).Select(n => (string)n["text"]!));
        Assert.Equal(text, rendered);
    }

    [Fact]
    public void TheWorstRealisticTenAccountReviewPageIsOneCardWithinTheBudget()
    {
        var cards = TeamsRenderer.Render(CardRenderingTests.ReviewPage(10));

        var card = Assert.Single(cards);
        Assert.True(TeamsRenderer.ToJson(card).Length <= TeamsRenderer.MaxCardChars, $"{TeamsRenderer.ToJson(card).Length} characters");
        Assert.Equal(43, Actions(card).Count(a => (string?)a["type"] == "Action.Execute"));
    }

    [Fact]
    public void ARowsShortFactsShareOneLineAndALongReasonGetsItsOwnRow()
    {
        var item = CardRenderingTests.ReviewPage(1).Items[0];

        var card = TeamsRenderer.Render(new Reply("page") { Items = [item] }).Single();

        var texts = Descendants(card).Select(n => (string?)n["text"]).OfType<string>().ToList();
        Assert.Contains("Flags: terminated, dormant, privileged · Change: changed · Last login: 14 Mar 2025", texts);
        var fact = Assert.Single(Descendants(card), n => (string?)n["type"] == "FactSet")["facts"]!.AsArray().Single()!;
        Assert.Equal("Decision", (string?)fact["title"]);
    }

    [Fact]
    public void AMaximumPageOfTwelveWorstRealisticAccountsStaysWithinTheBudgetWithEveryAccount()
    {
        var cards = TeamsRenderer.Render(CardRenderingTests.ReviewPage(12));

        Assert.All(cards, c => Assert.True(TeamsRenderer.ToJson(c).Length <= TeamsRenderer.MaxCardChars, $"{TeamsRenderer.ToJson(c).Length} characters"));
        var all = string.Concat(cards.Select(TeamsRenderer.ToJson));
        Assert.All(Enumerable.Range(1, 12), i => Assert.Contains($"00u{i:D17} — ", all, StringComparison.Ordinal));
        Assert.Contains(Descendants(cards[^1]), n => (string?)n["verb"] == "access.keep_all");
    }
}
