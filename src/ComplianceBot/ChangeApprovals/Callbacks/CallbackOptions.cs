namespace ComplianceBot.ChangeApprovals.Callbacks;

/// <summary>Section "Changes:Callbacks": where change callbacks may go and the secret they are signed with.</summary>
public sealed class CallbackOptions
{
    /// <summary>
    /// Internal CI hosts a callback may reach although they are private: host names ("ci.corp.example", "*.corp.example"),
    /// addresses ("10.1.2.3") or networks ("10.20.0.0/16"). Everything else must resolve to public addresses only.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// The shared secret of the pipeline integration: every callback carries an HMAC-SHA256 signature made with it
    /// (see <see cref="CallbackSigner"/>). Without it a change with a callbackUrl is refused.
    /// </summary>
    public string? Secret { get; set; }
}
