// Minimal typings for the parts of http-parser-js meshtax uses (the package ships none).
declare module 'http-parser-js' {
  export interface ResponseInfo {
    statusCode: number;
    shouldKeepAlive: boolean;
    upgrade: boolean;
  }
  export class HTTPParser {
    static readonly RESPONSE: 'RESPONSE';
    static readonly REQUEST: 'REQUEST';
    static readonly kOnHeadersComplete: 2;
    static readonly kOnBody: 3;
    static readonly kOnMessageComplete: 4;
    constructor(type: 'RESPONSE' | 'REQUEST');
    execute(chunk: Buffer): number | Error;
    finish(): void | Error;
    [HTTPParser.kOnHeadersComplete]: (info: ResponseInfo) => void;
    [HTTPParser.kOnBody]: (chunk: Buffer, start: number, length: number) => void;
    [HTTPParser.kOnMessageComplete]: () => void;
  }
}
