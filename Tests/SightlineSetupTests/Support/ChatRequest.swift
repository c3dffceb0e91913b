/// The body of a chat completion request, as the tests' clients send it.
let chatRequestJSON = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello setup"}]}"#
