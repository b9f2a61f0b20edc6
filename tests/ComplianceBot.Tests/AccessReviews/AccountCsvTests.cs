using ComplianceBot.AccessReviews;

namespace ComplianceBot.Tests.AccessReviews;

public sealed class AccountCsvTests
{
    [Fact]
    public void ExtraColumnsAreKeptAsEntitlementsAndQuotedFieldsMayHoldCommasQuotesAndNewlines()
    {
        var result = AccountCsv.Parse("\uFEFFAccount_ID, Display_Name ,email,role,last_login,teams,repos\r\n" +
            "a1,\"Doe, Jane \"\"JD\"\"\",Jane@X.com,admin,2026-11-01T09:15:00+02:00,\"web\nops\",12\r\n" +
            "a2,Bob,,member,never,,\r\n\r\n");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var jane = result.Rows[0];
        Assert.Equal("Doe, Jane \"JD\"", jane.DisplayName);
        Assert.Equal("jane@x.com", jane.Email);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 7, 15, 0, TimeSpan.Zero), jane.LastLogin);
        Assert.Equal("{\"teams\":\"web\\nops\",\"repos\":\"12\"}", jane.EntitlementsJson);
        Assert.Null(result.Rows[1].LastLogin);
        // The record after a quoted two-line field starts on physical line 4.
        Assert.Equal(4, result.Rows[1].Line);
    }

    [Fact]
    public void ErrorsAfterAMultiLineFieldNameThePhysicalLine()
    {
        var result = AccountCsv.Parse("account_id,display_name,email,role,last_login\na1,\"two\nlines\",a@x.com,member,\na1,B,b@x.com,member,\n");

        Assert.Equal(["Line 4: duplicate account 'a1' (already on line 2)."], result.Errors);
    }

    [Fact]
    public void SeveralBadRowsAreAllReportedAndNoRowIsReturned()
    {
        var result = AccountCsv.Parse("account_id,display_name,email,role,last_login\n,A,a@x.com,member,\nb,B,b@x.com,member,soon\nc,C,c@x.com,member,\n");

        Assert.Empty(result.Rows);
        Assert.Equal(["Line 2: account_id is empty.", "Line 3: last_login 'soon' is not a date (use ISO 8601 such as 2026-10-31 or 2026-10-31T09:15:00Z, or leave it empty for never)."], result.Errors);
    }

    [Theory]
    [InlineData("", "The CSV is empty")]
    [InlineData("account_id,display_name,email,role,last_login\n", "The CSV has a header but no accounts.")]
    [InlineData("account_id,display_name,email,role,last_login,email\n", "Line 1: the column 'email' appears twice in the header.")]
    [InlineData("account_id,display_name,email,role,last_login\na\"1,A,a@x.com,member,\n", "Line 2: a quote inside an unquoted field")]
    public void MalformedInputIsRefusedWithAReason(string csv, string expected)
    {
        var result = AccountCsv.Parse(csv);

        Assert.False(result.Ok);
        Assert.StartsWith(expected, result.Errors[0]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    public void CsvCellsAreQuotedAndFormulasDefused(string value, string expected) =>
        Assert.Equal(expected + "\r\n", ComplianceBot.Export.CsvFiles.Line(value));
}
