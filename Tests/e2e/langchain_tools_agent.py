"""A LangChain tool-calling agent on langchain-openai: ChatOpenAI(...).bind_tools([...]), two calls: the model
asks for the tool, the tool runs locally, its result goes back, the model answers. Prints one JSON line."""
import json
import sys

from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI


@tool
def get_current_weather(location: str) -> str:
    """Get the current weather in a given location."""
    return "72 F and sunny" if "Boston" in location else "unknown"


llm = ChatOpenAI(model="gpt-4o-mini", api_key="sk-test-langchain-key-7890", max_retries=0, timeout=20)
agent = llm.bind_tools([get_current_weather])
messages = [HumanMessage("What's the weather like in Boston today?")]
first = agent.invoke(messages)
messages.append(first)
for call in first.tool_calls:
    messages.append(ToolMessage(content=get_current_weather.invoke(call["args"]), tool_call_id=call["id"]))
final = agent.invoke(messages)
json.dump({"tool_calls": [{"id": c["id"], "name": c["name"], "args": c["args"]} for c in first.tool_calls],
           "tool_results": [m.content for m in messages if isinstance(m, ToolMessage)],
           "answer": final.content}, sys.stdout)
print()
