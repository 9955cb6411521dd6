using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Tests.Parallel;

public class WorkerProtocolTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("two\nlines\r\nand\ttabs")]
    [InlineData("back\\slash \\n not a newline")]
    [InlineData("<Objs Version=\"1.1.0.1\">\n  <S>x</S>\n</Objs>")]
    public void PayloadsRoundTripOnOneLine(string payload)
    {
        string line = WorkerProtocol.Format(WorkerProtocol.Out, 42, payload);

        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.True(WorkerProtocol.TryParse(line, out string verb, out long id, out string parsed));
        Assert.Equal(WorkerProtocol.Out, verb);
        Assert.Equal(42, id);
        Assert.Equal(payload, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("WARNING: something a host printed")]
    [InlineData("out\tnot-a-number\tx")]
    [InlineData("nosuchverb\t1\tx")]
    [InlineData("out\t1")]
    public void LinesThatAreNotMessagesAreRecognised(string? line)
    {
        Assert.False(WorkerProtocol.TryParse(line, out _, out _, out _));
    }

    [Fact]
    public void ControlMessagesCarryIdZero()
    {
        Assert.Equal("quit\t0\t", WorkerProtocol.Format(WorkerProtocol.Quit));
        Assert.True(WorkerProtocol.TryParse("ready\t1234\t", out string verb, out long id, out string payload));
        Assert.Equal((WorkerProtocol.Ready, 1234L, ""), (verb, id, payload));
    }
}
