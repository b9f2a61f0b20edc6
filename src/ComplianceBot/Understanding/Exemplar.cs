namespace ComplianceBot.Understanding;

/// <summary>One line of an exemplar file: a message someone might type, and the label it means.</summary>
public sealed record Exemplar(string Label, string Text, string Source);
