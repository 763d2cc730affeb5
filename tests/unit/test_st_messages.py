"""st_messages: Streamlit's messages written and read by hand, against the protobuf classes of the pinned Streamlit."""
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_messages as sm

BackMsg = pytest.importorskip("streamlit.proto.BackMsg_pb2").BackMsg
ForwardMsg = pytest.importorskip("streamlit.proto.ForwardMsg_pb2").ForwardMsg
NewSession_pb2 = pytest.importorskip("streamlit.proto.NewSession_pb2")
Common_pb2 = pytest.importorskip("streamlit.proto.Common_pb2")
SessionEvent_pb2 = pytest.importorskip("streamlit.proto.SessionEvent_pb2")
Exception_pb2 = pytest.importorskip("streamlit.proto.Exception_pb2")
ClientState_pb2 = pytest.importorskip("streamlit.proto.ClientState_pb2")
Delta_pb2 = pytest.importorskip("streamlit.proto.Delta_pb2")
Element_pb2 = pytest.importorskip("streamlit.proto.Element_pb2")


def number(descriptor, name):
    return descriptor.fields_by_name[name].number


@pytest.mark.parametrize("constant, descriptor, name", [
    (sm.BACK_RERUN_SCRIPT, BackMsg.DESCRIPTOR, "rerun_script"),
    (sm.BACK_FILE_URLS_REQUEST, BackMsg.DESCRIPTOR, "file_urls_request"),
    (sm.CLIENT_QUERY_STRING, ClientState_pb2.ClientState.DESCRIPTOR, "query_string"),
    (sm.CLIENT_PAGE_SCRIPT_HASH, ClientState_pb2.ClientState.DESCRIPTOR, "page_script_hash"),
    (sm.FILE_URLS_REQUEST_ID, Common_pb2.FileURLsRequest.DESCRIPTOR, "request_id"),
    (sm.FILE_URLS_REQUEST_NAMES, Common_pb2.FileURLsRequest.DESCRIPTOR, "file_names"),
    (sm.FILE_URLS_REQUEST_SESSION, Common_pb2.FileURLsRequest.DESCRIPTOR, "session_id"),
    (sm.FORWARD_NEW_SESSION, ForwardMsg.DESCRIPTOR, "new_session"),
    (sm.FORWARD_DELTA, ForwardMsg.DESCRIPTOR, "delta"),
    (sm.FORWARD_SCRIPT_FINISHED, ForwardMsg.DESCRIPTOR, "script_finished"),
    (sm.FORWARD_SESSION_EVENT, ForwardMsg.DESCRIPTOR, "session_event"),
    (sm.FORWARD_FILE_URLS_RESPONSE, ForwardMsg.DESCRIPTOR, "file_urls_response"),
    (sm.NEW_SESSION_INITIALIZE, NewSession_pb2.NewSession.DESCRIPTOR, "initialize"),
    (sm.INITIALIZE_SESSION_ID, NewSession_pb2.Initialize.DESCRIPTOR, "session_id"),
    (sm.DELTA_NEW_ELEMENT, Delta_pb2.Delta.DESCRIPTOR, "new_element"),
    (sm.ELEMENT_EXCEPTION, Element_pb2.Element.DESCRIPTOR, "exception"),
    (sm.ELEMENT_DOWNLOAD_BUTTON, Element_pb2.Element.DESCRIPTOR, "download_button"),
    (sm.DOWNLOAD_BUTTON_URL, pytest.importorskip("streamlit.proto.DownloadButton_pb2").DownloadButton.DESCRIPTOR, "url"),
    (sm.EXCEPTION_TYPE, Exception_pb2.Exception.DESCRIPTOR, "type"),
    (sm.EXCEPTION_MESSAGE, Exception_pb2.Exception.DESCRIPTOR, "message"),
    (sm.SESSION_EVENT_COMPILATION_EXCEPTION, SessionEvent_pb2.SessionEvent.DESCRIPTOR, "script_compilation_exception"),
    (sm.FILE_URLS_RESPONSE_ID, Common_pb2.FileURLsResponse.DESCRIPTOR, "response_id"),
    (sm.FILE_URLS_RESPONSE_URLS, Common_pb2.FileURLsResponse.DESCRIPTOR, "file_urls"),
    (sm.FILE_URLS_RESPONSE_ERROR, Common_pb2.FileURLsResponse.DESCRIPTOR, "error_msg"),
    (sm.FILE_URLS_FILE_ID, Common_pb2.FileURLs.DESCRIPTOR, "file_id"),
    (sm.FILE_URLS_UPLOAD_URL, Common_pb2.FileURLs.DESCRIPTOR, "upload_url"),
])
def test_each_field_number_is_the_pinned_streamlits(constant, descriptor, name):
    assert constant == number(descriptor, name)


def test_the_finished_statuses_are_the_pinned_streamlits():
    values = dict((v.number, v.name) for v in ForwardMsg.ScriptFinishedStatus.DESCRIPTOR.values)
    assert values == {0: "FINISHED_SUCCESSFULLY", 1: "FINISHED_WITH_COMPILE_ERROR", 2: "FINISHED_EARLY_FOR_RERUN",
                      3: "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"}
    assert sorted(sm.FINISHED) == sorted(values)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2 ** 32, 2 ** 63 - 1])
def test_varints_round_trip(value):
    encoded = sm.varint(value)
    assert sm._read_varint(encoded, 0) == (value, len(encoded))


def test_a_rerun_request_is_what_protobuf_reads():
    message = BackMsg()
    message.ParseFromString(sm.rerun_script("a=1", "abc123"))
    assert message.WhichOneof("type") == "rerun_script"
    assert (message.rerun_script.query_string, message.rerun_script.page_script_hash) == ("a=1", "abc123")
    empty = BackMsg()
    empty.ParseFromString(sm.rerun_script())
    assert empty.WhichOneof("type") == "rerun_script"


def test_a_file_urls_request_is_what_protobuf_reads():
    message = BackMsg()
    message.ParseFromString(sm.file_urls_request("req-1", ["a.txt", "b.csv"], "session-9"))
    request = message.file_urls_request
    assert (request.request_id, list(request.file_names), request.session_id) == ("req-1", ["a.txt", "b.csv"], "session-9")


def test_a_new_session_gives_its_id():
    message = ForwardMsg()
    message.new_session.initialize.session_id = "7f3c-session"
    message.new_session.name = "app"
    message.hash = "abc"
    assert sm.forward(message.SerializeToString()) == {"session_id": "7f3c-session"}


@pytest.mark.parametrize("status, name", [(0, "finished"), (1, "compile_error"), (2, "early_for_rerun")])
def test_a_finished_run_gives_how_it_ended(status, name):
    message = ForwardMsg()
    message.script_finished = status
    message.metadata.delta_path.extend([0, 1])
    assert sm.forward(message.SerializeToString()) == {"finished": name}


def test_an_exception_the_script_raised_gives_its_type_and_message():
    message = ForwardMsg()
    message.delta.new_element.exception.type = "ZeroDivisionError"
    message.delta.new_element.exception.message = "division by zero"
    message.delta.new_element.exception.stack_trace.extend(["line 1", "line 2"])
    assert sm.forward(message.SerializeToString()) == {
        "exception": {"type": "ZeroDivisionError", "message": "division by zero"}}
    other = ForwardMsg()
    other.delta.new_element.markdown.body = "hello"
    assert sm.forward(other.SerializeToString()) == {}


def test_a_download_button_gives_its_media_url():
    message = ForwardMsg()
    message.delta.new_element.download_button.label = "Download"
    message.delta.new_element.download_button.url = "/media/0f3a9c.txt"
    assert sm.forward(message.SerializeToString()) == {"media": "/media/0f3a9c.txt"}
    deferred = ForwardMsg()
    deferred.delta.new_element.download_button.label = "Later"
    assert sm.forward(deferred.SerializeToString()) == {}


def test_a_script_that_does_not_compile_gives_its_syntax_error():
    message = ForwardMsg()
    message.session_event.script_compilation_exception.type = "SyntaxError"
    message.session_event.script_compilation_exception.message = "invalid syntax (app.py, line 3)"
    assert sm.forward(message.SerializeToString())["exception"]["type"] == "SyntaxError"


def test_file_urls_give_each_upload_url():
    message = ForwardMsg()
    message.file_urls_response.response_id = "req-1"
    urls = message.file_urls_response.file_urls.add()
    urls.file_id, urls.upload_url = "f-1", "/_stcore/upload_file/s/f-1"
    assert sm.forward(message.SerializeToString()) == {"file_urls": {
        "id": "req-1", "urls": [{"file_id": "f-1", "upload_url": "/_stcore/upload_file/s/f-1"}], "error": ""}}


@pytest.mark.parametrize("data, words", [
    (b"\x22\x05abc", "past the end"),          # field 4 says 5 bytes, 3 follow
    (b"\x08\xff\xff", "past the end"),         # a varint cut short
    (b"\x08" + b"\xff" * 11 + b"\x01", "longer than 10 bytes"),
    (b"\x0b", "wire type 3"),                  # a group
    (b"\x00\x01", "field number 0"),
])
def test_bytes_that_are_not_a_message_are_refused(data, words):
    with pytest.raises(sm.MessageError, match=words):
        sm.forward(data)


def test_a_message_nested_deeper_than_streamlits_is_not_followed():
    deep = b"x"
    for unused in range(sm.MAX_DEPTH + 4):
        deep = sm.field(1, deep)
    assert sm.first(deep, *([1] * (sm.MAX_DEPTH + 4))) is None
