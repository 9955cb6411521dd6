using Ec2Ops.HelpGen;

namespace Ec2Ops.Tests.Contracts;

public class HelpDocumentTests
{
    private const string Sample = """
        # Get-Thing

        ## SYNOPSIS
        Gets a **thing**.

        ## DESCRIPTION
        First paragraph with `code`
        spread over two lines.

        Second paragraph, see [the docs](https://example.com/docs).

        ## EXAMPLES

        ### Example 1: One thing
        ```powershell
        Get-Thing -Name a
        Get-Thing -Name b
        ```
        It gets things.

        ## PARAMETERS

        ### -Name
        The name.

        ### -Force
        No questions.

        ## OUTPUTS

        ### Thing.Type
        A thing.

        ## RELATED LINKS
        - [Docs](https://example.com/docs)
        - Get-Other
        """;

    [Fact]
    public void ParsesEverySectionIntoPlainText()
    {
        var help = HelpDocument.Parse(Sample, "sample.md");

        Assert.Equal("Get-Thing", help.Name);
        Assert.Equal("Gets a thing.", help.Synopsis);
        Assert.Equal(new[] { "First paragraph with code spread over two lines.", "Second paragraph, see the docs (https://example.com/docs)." }, help.Description);
        var example = Assert.Single(help.Examples);
        Assert.Equal("Example 1: One thing", example.Title);
        Assert.Equal("Get-Thing -Name a\nGet-Thing -Name b", example.Code);
        Assert.Equal(new[] { "It gets things." }, example.Remarks);
        Assert.Equal(new[] { "The name." }, help.Parameters["Name"]);
        Assert.Equal(new[] { "No questions." }, help.Parameters["force"]);
        Assert.Equal("Thing.Type", Assert.Single(help.Outputs).TypeName);
        Assert.Empty(help.Notes);
        Assert.Equal(new[] { new HelpLink("Docs", "https://example.com/docs"), new HelpLink("Get-Other", string.Empty) }, help.Links);
    }

    [Fact]
    public void AFileWithoutItsTitleIsRejected()
    {
        Assert.Throws<FormatException>(() => HelpDocument.Parse("## SYNOPSIS\nx", "bad.md"));
    }
}
