namespace ComplianceBot.Digest;

/// <summary>The weekly digest (section "Digest" in appsettings.json).</summary>
public sealed class DigestOptions
{
    /// <summary>Posts the weekly digest to the compliance channel; false turns it (and the managers' copies) off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The day it goes out; on a holiday or a day off it goes out on the next working day.</summary>
    public DayOfWeek Day { get; set; } = DayOfWeek.Monday;

    /// <summary>The local hour it goes out from (until the end of the working day; a digest not sent that day is skipped).</summary>
    public int Hour { get; set; } = 9;

    /// <summary>
    /// The compliance channel's time zone (an IANA or Windows id). Empty: the time zone of the compliance contact when
    /// that is a person in the directory, else of the first compliance admin, else UTC.
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>Also sends each manager, by direct message in their own working hours, the digest of their direct reports.</summary>
    public bool ManagerDigests { get; set; }

    /// <summary>An open access review with no decision for this many days is listed as stuck.</summary>
    public int StuckReviewDays { get; set; } = 5;

    /// <summary>A change waiting for approval this many days is listed as stuck (by default changes expire after three).</summary>
    public int StuckChangeDays { get; set; } = 2;

    /// <summary>How many past weeks the on-time trend line shows.</summary>
    public int TrendWeeks { get; set; } = 8;

    /// <summary>The most entries a section lists before it says how many more there are.</summary>
    public int MaxListed { get; set; } = 10;
}
