namespace ComplianceBot.Operations;

/// <summary>A setting that is missing or has a value the host cannot use; the message is one line naming it and what it accepts.</summary>
public sealed class InvalidSettingException(string message) : Exception(message);
